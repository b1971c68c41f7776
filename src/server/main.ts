/**
 * The Gapscope language server: owns the inspector sessions and the analysis, and serves them as
 * inlay hints, hovers, code lenses, code actions and the custom messages of
 * shared/protocol.ts. Started by the extension over IPC, or by any LSP client with `--stdio`.
 *
 * stdout is the LSP pipe when run with `--stdio`: nothing here may print; logs go to the
 * connection console through core/logger.ts.
 */
import {
  CodeLensRefreshRequest,
  InlayHintRefreshRequest,
  ProposedFeatures,
  TextDocumentSyncKind,
  createConnection,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';

import { formatLogRecord, Logger, LogLevel, parseLogLevel, type LogRecord } from '../core/logger';
import {
  defaultServerSettings,
  Methods,
  type DidChangeSettingsParams,
  type ServerSettings,
} from '../shared/protocol';
import { DocumentStore } from './documents';
import {
  provideCodeActions,
  provideCodeLenses,
  provideHover,
  provideInlayHints,
  type FeatureContext,
} from './features';
import { computeMarks, toFileMarks, type MarksByFile } from './marks';
import { createRealEngine } from './realEngine';
import { registerRequests } from './requests';
import { SessionHost } from './sessionHost';

/** What the server remembers about the client's abilities. */
interface ClientSupport {
  inlayHintRefresh: boolean;
  codeLensRefresh: boolean;
}

/** Starts the server on a connection (stdio or IPC, from the process arguments). */
export function startServer(connection: Connection): void {
  const logger = new Logger([{ write: record => writeToConsole(connection, record) }]);
  let settings: ServerSettings = { ...defaultServerSettings };
  const host = new SessionHost(createRealEngine(logger), logger, settings);
  const documents = new DocumentStore();
  let marks: MarksByFile = new Map();
  const support: ClientSupport = { inlayHintRefresh: false, codeLensRefresh: false };
  const context: FeatureContext = { host, marks: () => marks, documents };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    settings = mergeSettings(settings, params.initializationOptions as DidChangeSettingsParams);
    logger.level = parseLogLevel(settings.logLevel);
    host.updateSettings(settings);
    support.inlayHintRefresh = Boolean(params.capabilities.workspace?.inlayHint?.refreshSupport);
    support.codeLensRefresh = Boolean(params.capabilities.workspace?.codeLens?.refreshSupport);
    logger.info('lsp', 'initialized', { client: params.clientInfo?.name, pid: process.pid });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        inlayHintProvider: true,
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ['refactor.rewrite'] },
      },
      serverInfo: { name: 'gapscope' },
    };
  });

  connection.onDidOpenTextDocument(params => documents.open(params));
  connection.onDidChangeTextDocument(params => documents.change(params));
  connection.onDidCloseTextDocument(params => documents.close(params));
  connection.languages.inlayHint.on(params => guard(() => provideInlayHints(context, params), []));
  connection.onHover(params => guard(() => provideHover(context, params), null));
  connection.onCodeLens(params => guard(() => provideCodeLenses(context, params), []));
  connection.onCodeAction(params => guard(() => provideCodeActions(context, params), []));

  function publish(): void {
    const analysis = host.analysis;
    marks = analysis ? computeMarks(analysis, settings.hotLineThresholdMs) : new Map();
    const files = toFileMarks(marks, (uri, line) => documents.currentLine(uri, line));
    void connection.sendNotification(Methods.didUpdate, { state: host.state, files });
    if (support.inlayHintRefresh) void connection.sendRequest(InlayHintRefreshRequest.type);
    if (support.codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type);
  }

  host.onDidChange(() => guard(publish, undefined));
  host.onDidFail(error => void connection.sendNotification(Methods.didFail, { error }));
  connection.onNotification(Methods.didChangeSettings, (params: DidChangeSettingsParams) => {
    settings = mergeSettings(settings, params);
    logger.level = parseLogLevel(settings.logLevel);
    host.updateSettings(settings);
    guard(publish, undefined);
  });
  registerRequests(connection, host, logger);

  /** A feature that throws must not take the server down: log it and answer empty. */
  function guard<T>(run: () => T, fallback: T): T {
    try {
      return run();
    } catch (error) {
      logger.error('lsp', 'handler failed', {
        error: error instanceof Error ? error.stack : error,
      });
      return fallback;
    }
  }

  connection.onShutdown(() => host.detach());
  connection.onExit(() => host.dispose());
  keepAliveOnStrayErrors(logger);
  connection.listen();
}

function mergeSettings(
  current: ServerSettings,
  changes: DidChangeSettingsParams | undefined,
): ServerSettings {
  const merged = { ...current };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value !== undefined && value !== null && key in defaultServerSettings) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

function writeToConsole(connection: Connection, record: LogRecord): void {
  const line = formatLogRecord(record);
  if (record.level >= LogLevel.Error) connection.console.error(line);
  else if (record.level === LogLevel.Warn) connection.console.warn(line);
  else if (record.level === LogLevel.Info) connection.console.info(line);
  else connection.console.log(line);
}

/**
 * A dependency that throws from a callback (a socket handler, a timer) must not end the
 * server: the session it belonged to reports its own failure through its close event.
 */
function keepAliveOnStrayErrors(logger: Logger): void {
  process.on('uncaughtException', error => {
    logger.error('lsp', 'uncaught exception', { error: error.stack ?? String(error) });
  });
  process.on('unhandledRejection', reason => {
    logger.error('lsp', 'unhandled rejection', { reason: String(reason) });
  });
}

if (require.main === module) startServer(createConnection(ProposedFeatures.all));
