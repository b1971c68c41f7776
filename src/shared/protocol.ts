/**
 * The custom LSP messages between the Gapscope language server and its clients (the VS Code
 * extension, or any editor that speaks LSP). Each message has one constant holding its method
 * name (prefixed `gapscope/`), a Params/Result pair, and a doc comment saying which side sends
 * it. Standard LSP (inlay hints, hovers, code lenses, code actions) needs nothing here.
 *
 * docs/protocol.md lists the same messages; `protocol.test.ts` fails when the two drift.
 *
 * Lines in this module are 1-based (as in core/model.ts) unless a field says otherwise.
 */
import type { GapscopeError } from '../core/errors';
import type { EndpointKey, RequestAnalysis } from '../core/model';
import type { NodeProcessInfo } from '../inspector/types';
import type { FlameData, FlameScope, RequestDetail, TimelineModel } from './webviewMessages';

/** Every custom method, by name. The values are the wire method names. */
export const Methods = {
  listProcesses: 'gapscope/listProcesses',
  attach: 'gapscope/attach',
  detach: 'gapscope/detach',
  openSession: 'gapscope/openSession',
  saveSession: 'gapscope/saveSession',
  timelineData: 'gapscope/timelineData',
  profileNextRequest: 'gapscope/profileNextRequest',
  didChangeSettings: 'gapscope/didChangeSettings',
  didUpdate: 'gapscope/didUpdate',
  didFail: 'gapscope/didFail',
} as const;

/** Which side sends each message, and whether it is a request (answered) or a notification. */
export const MethodKinds: Record<keyof typeof Methods, string> = {
  listProcesses: 'client → server request',
  attach: 'client → server request',
  detach: 'client → server request',
  openSession: 'client → server request',
  saveSession: 'client → server request',
  timelineData: 'client → server request',
  profileNextRequest: 'client → server request',
  didChangeSettings: 'client → server notification',
  didUpdate: 'server → client notification',
  didFail: 'server → client notification',
};

/** Settings the server needs; sent as `initializationOptions` and on every change. */
export interface ServerSettings {
  /** Sampling interval of the live capture, µs. */
  samplingIntervalUs: number;
  /** Sampling interval of "Profile next request" captures, µs (fine, short-lived). */
  fineSamplingIntervalUs: number;
  /** Lines with less self time than this (ms per request) get no mark, hint or lens. */
  hotLineThresholdMs: number;
  /** How often a live session is re-analysed and pushed, ms. */
  liveUpdateIntervalMs: number;
  /** `trace|debug|info|warn|error|off`, for the server's log. */
  logLevel: string;
}

/** The defaults, the same as package.json's `contributes.configuration`. */
export const defaultServerSettings: ServerSettings = {
  samplingIntervalUs: 10_000,
  fineSamplingIntervalUs: 100,
  hotLineThresholdMs: 1,
  liveUpdateIntervalMs: 1000,
  logLevel: 'info',
};

/**
 * Sent by the client: the processes the user can attach to.
 */
export type ListProcessesParams = Record<string, never>;
export interface ListProcessesResult {
  processes: NodeProcessInfo[];
}

/**
 * Sent by the client: attach to a target and start the live capture. Any previous session is
 * detached first.
 */
export interface AttachParams {
  /** What the user named: a pid (`"1234"`), `host:port`, or a `ws://` inspector URL. */
  target: string;
}
export type AttachResult = { ok: true; state: SessionState } | { ok: false; error: GapscopeError };

/** Sent by the client: stop the capture and leave the target as it was. Clears all marks. */
export type DetachParams = Record<string, never>;
export interface DetachResult {
  /** The state after detaching (always `kind: 'none'`). */
  state: SessionState;
}

/** Sent by the client: show a saved `*.gapscope.json` session (detaches a live one first). */
export interface OpenSessionParams {
  /** Absolute file path. */
  path: string;
}
export type OpenSessionResult =
  { ok: true; state: SessionState } | { ok: false; error: GapscopeError };

/** Sent by the client: write the current session (live: a snapshot) to a file. */
export interface SaveSessionParams {
  /** Absolute file path. */
  path: string;
}
export type SaveSessionResult = { ok: true; path: string } | { ok: false; error: GapscopeError };

/**
 * Sent by the client on behalf of the timeline panel: the host side of the timeline runs in the
 * server (it needs the whole session), the extension only relays. `snapshot` asks for the view
 * model, `request` for one request's waterfall, `flame` for an aggregated call tree.
 * `sessionId` (`TimelineModel.sessionId`) asks about that session: the current one, or the last
 * capture of Profile Next Request, which the server keeps after the live capture resumed; any
 * other id gets no answer (request ids of two sessions collide). Absent: the current session.
 */
export type TimelineDataParams = (
  | { query: 'snapshot' }
  | { query: 'request'; requestId: number }
  | { query: 'flame'; scope: FlameScope }
) & { sessionId?: string };
export interface TimelineDataResult {
  state: SessionState;
  /** For `snapshot`; absent when no session is loaded. */
  model?: TimelineModel;
  /** For `request`; absent for an unknown id. */
  detail?: RequestDetail;
  /** For `flame`. */
  flame?: FlameData;
}

/**
 * Sent by the client: capture the next request of an endpoint at the fine sampling interval.
 * Answers when that request has ended (or the client cancels); the live capture resumes after.
 */
export interface ProfileNextRequestParams {
  /** The endpoint (`POST /login`); absent: the next request of any endpoint. */
  endpoint?: EndpointKey;
  /** Give up after this long, ms. Default 120 000. */
  timeoutMs?: number;
}
export type ProfileNextRequestResult =
  | {
      ok: true;
      request: RequestAnalysis;
      /** The fine capture's session, to open the timeline on it (see `TimelineDataParams`). */
      sessionId?: string;
    }
  | { ok: false; error: GapscopeError };

/** Sent by the client when the user changes a `gapscope.*` setting. */
export type DidChangeSettingsParams = Partial<ServerSettings>;

/** The session the server holds, as the status bar shows it. */
export interface SessionState {
  /** `live`: attached to a running target; `saved`: a session file is open. */
  kind: 'none' | 'live' | 'saved';
  /** Short text for the status bar: `pid 4242 login-service` or the file name. */
  label: string;
  pid?: number;
  /** The saved file, for `saved`. */
  path?: string;
  samples: number;
  requests: number;
  /** Length of the captured window, ms. */
  durationMs: number;
}

/** One marked line of a file, for decorations. */
export interface LineMark {
  /** 1-based, in the document as it is now (shifted by the edits since it was opened). */
  line: number;
  /** Self time of the line's hottest endpoint, ms per request. */
  msPerRequest: number;
  /** Self time relative to the hottest line of the session (0..1): the heat to paint. */
  heat: number;
  /** The end-of-line hint: `612 ms/req · 76% POST /login`. */
  label: string;
  /** True when most of the line's time fell in untraced gaps (outside every span). */
  untraced: boolean;
  endpoint: EndpointKey;
}

/** Marks of one file. */
export interface FileMarks {
  /** A `file://` URI. */
  uri: string;
  lines: LineMark[];
}

/**
 * Sent by the server whenever the session or its analysis changes (attach, each live update,
 * detach, settings change). Carries every marked file in full: the client replaces what it had.
 */
export interface DidUpdateParams {
  state: SessionState;
  files: FileMarks[];
}

/**
 * Sent by the server when something failed outside a request (the target died, a snapshot or
 * an analysis threw). The client shows `error.message` with an "Open Log" action.
 */
export interface DidFailParams {
  error: GapscopeError;
}

/** The command the hover's "Open timeline" link runs (the extension registers it). */
export const showTimelineCommand = 'gapscope.showTimeline';
