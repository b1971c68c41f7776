/**
 * The `gapscope.*` settings: what the server needs (sent as initialization options and on
 * change) and what the decorations read.
 */
import * as vscode from 'vscode';

import { defaultServerSettings, type ServerSettings } from '../shared/protocol';

/** Which marks the decorations paint. */
export interface MarkSettings {
  heat: boolean;
  gutter: boolean;
  overviewRuler: boolean;
  hint: boolean;
  untraced: boolean;
  /** `decoration`: the extension paints the hint; `inlayHint`: the server's inlay hints do. */
  hintStyle: 'decoration' | 'inlayHint';
  keepMarksOnDetach: boolean;
}

const section = 'gapscope';

export function readServerSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(section);
  return {
    samplingIntervalUs: config.get('samplingIntervalUs', defaultServerSettings.samplingIntervalUs),
    fineSamplingIntervalUs: config.get(
      'fineSamplingIntervalUs',
      defaultServerSettings.fineSamplingIntervalUs,
    ),
    hotLineThresholdMs: config.get('hotLineThresholdMs', defaultServerSettings.hotLineThresholdMs),
    liveUpdateIntervalMs: config.get(
      'liveUpdateIntervalMs',
      defaultServerSettings.liveUpdateIntervalMs,
    ),
    logLevel: config.get('logLevel', defaultServerSettings.logLevel),
  };
}

export function readMarkSettings(): MarkSettings {
  const config = vscode.workspace.getConfiguration(section);
  return {
    heat: config.get('marks.heat', true),
    gutter: config.get('marks.gutter', true),
    overviewRuler: config.get('marks.overviewRuler', true),
    hint: config.get('marks.hint', true),
    untraced: config.get('marks.untraced', true),
    hintStyle: config.get('hintStyle', 'decoration'),
    keepMarksOnDetach: config.get('keepMarksOnDetach', false),
  };
}

/** Calls `listener` when a `gapscope.*` setting changed. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration(event => {
    if (event.affectsConfiguration(section)) listener();
  });
}
