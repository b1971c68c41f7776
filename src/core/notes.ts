/** The sentences of the report's header: how the session was recorded and what it lost. */
import type { ProfileModel } from './profileModel';
import type { SessionFile } from './session';

/** Notes for `Analysis.notes`, capture notes first. */
export function buildNotes(session: SessionFile, model: ProfileModel, idle: boolean): string[] {
  const notes = [...(session.capture.notes ?? [])];
  notes.push(
    session.capture.tracking === 'waits'
      ? 'Async tracking: waits (finer, costlier).'
      : 'Async tracking: execution windows.',
  );

  const asked = session.capture.samplingIntervalUs;
  const actual = Math.round(model.medianIntervalUs);
  if (actual > 0 && asked > 0 && Math.abs(actual - asked) > asked * 0.25) {
    notes.push(`Sampling interval in force: about ${actual} µs (asked for ${asked} µs).`);
  } else if (asked > 0) {
    notes.push(`Sampling interval: ${asked} µs.`);
  }

  if (session.profiles.length > 1) {
    notes.push(`The profile was recorded in ${session.profiles.length} chunks.`);
  }
  const stats = session.capture.agentStats;
  if (stats?.droppedSwitches) {
    notes.push(
      `${stats.droppedSwitches} execution switches were dropped; some CPU may be unattributed.`,
    );
  }
  if (stats?.droppedRequests) {
    notes.push(`${stats.droppedRequests} requests were dropped (too many in flight).`);
  }
  if (idle) notes.push('No CPU activity in the captured window.');
  notes.push(...lossNotes(session, model));
  return notes;
}

/** What a target that exited mid-capture took with it (its profile, or the last part of it). */
function lossNotes(session: SessionFile, model: ProfileModel): string[] {
  if (session.capture.endReason !== 'target-exited') return [];
  if (model.sampleCount === 0) {
    return [
      'CPU profile lost: the target exited before its first profile chunk was saved, so no ' +
        'CPU is known (this is not idleness).',
    ];
  }

  let lastRequestEndUs = 0;
  for (const request of session.requests) {
    lastRequestEndUs = Math.max(lastRequestEndUs, request.endUs ?? request.startUs);
  }
  const lostMs = (lastRequestEndUs - session.capture.endUs) / 1000;
  if (lostMs < LOSS_WORTH_NOTING_MS) return [];
  return [
    `The CPU profile of the last ${Math.round(lostMs / 100) / 10} s before the target exited ` +
      'was lost (the chunk in progress); requests in it show no CPU.',
  ];
}

/** A lost tail shorter than this is not worth a note, ms. */
const LOSS_WORTH_NOTING_MS = 100;
