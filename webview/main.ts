/** Entry of the timeline webview bundle (dist/webview.js): registers components, starts the app. */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { TimelineApp } from './app';
import { createHostBridge } from './hostBridge';

const root = document.getElementById('app');
if (root) new TimelineApp(root, createHostBridge()).start();
