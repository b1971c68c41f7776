/**
 * What every command receives from main: its streams, the run's logger, colour and the
 * directory paths are shown relative to.
 */
import type { ILogger } from '../core/logger';
import type { CliStreams } from './output';

export interface CliContext {
  streams: CliStreams;
  logger: ILogger;
  /** Colour on stdout (the report); stderr decides for itself. */
  color: boolean;
  /** Paths inside this directory are shown relative to it. */
  cwd: string;
}
