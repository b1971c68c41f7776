/**
 * Starts the language server (`dist/server.js`, over IPC) and the client that talks to it. The
 * client's lifetime is its own disposal scope: everything bound to the server goes with it.
 */
import type * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import type { MarkSettings } from './config';
import { readServerSettings } from './config';

/** The files the server reads: sources a Node service runs. */
const documentSelector = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map(
  language => ({ scheme: 'file', language }),
);

export function createClient(
  context: vscode.ExtensionContext,
  serverChannel: vscode.LogOutputChannel,
  marks: () => MarkSettings,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: serverChannel,
    initializationOptions: readServerSettings(),
    // Hovers carry a command link that opens the timeline at a request.
    markdown: { isTrusted: true },
    middleware: {
      // The decorations already show the hint unless the user asked for inlay hints instead.
      provideInlayHints: (document, range, token, next) =>
        marks().hintStyle === 'inlayHint' && marks().hint ? next(document, range, token) : [],
    },
  };
  return new LanguageClient('gapscope', 'Gapscope Language Server', serverOptions, clientOptions);
}
