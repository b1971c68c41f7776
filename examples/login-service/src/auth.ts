/**
 * Password checks for the login endpoint. Each stored credential keeps a random salt and a
 * PBKDF2 digest; verifying derives the digest again from the attempt and compares the two in
 * constant time.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

/**
 * PBKDF2 rounds per check. Chosen so one check takes a few hundred ms on a small server:
 * that cost is the point of the demo. LOGIN_HASH_ITERATIONS overrides it.
 */
export const HASH_ITERATIONS = Number(process.env.LOGIN_HASH_ITERATIONS ?? 600_000);

const DIGEST = 'sha256';
const KEY_BYTES = 32;

export interface Credential {
  salt: Buffer;
  digest: Buffer;
}

/** Makes a stored credential for `password` (used to seed the demo's users). */
export function createCredential(password: string): Credential {
  const salt = crypto.randomBytes(16);
  return { salt, digest: derive(password, salt) };
}

/** True when `attempt` matches the stored credential. */
export function verifyPassword(attempt: string, credential: Credential): boolean {
  const digest = crypto.pbkdf2Sync(attempt, credential.salt, HASH_ITERATIONS, KEY_BYTES, DIGEST);
  return crypto.timingSafeEqual(digest, credential.digest);
}

const pbkdf2 = promisify(crypto.pbkdf2);

/**
 * The same check with the async form: the digest is derived on a libuv pool thread, so other
 * requests keep being served meanwhile (the pool has 4 threads by default).
 */
export async function verifyPasswordAsync(attempt: string, credential: Credential) {
  const digest = await pbkdf2(attempt, credential.salt, HASH_ITERATIONS, KEY_BYTES, DIGEST);
  return crypto.timingSafeEqual(digest, credential.digest);
}

function derive(password: string, salt: Buffer): Buffer {
  return crypto.pbkdf2Sync(password, salt, HASH_ITERATIONS, KEY_BYTES, DIGEST);
}
