/**
 * Code lenses above request handlers: the endpoint's latency and how much of it no span explains
 * (`POST /login · p50 806 ms · 744 ms untraced · 97% explained`), opening the timeline, and
 * "Profile next request". Pure.
 */
import type { CodeLens } from 'vscode-languageserver';

import type { Analysis, EndpointStats } from '../core/model';
import { showTimelineCommand } from '../shared/protocol';
import { findHandlerLine } from './handlers';
import { slowestRequestId, type ShowTimelineArgs } from './hover';
import { formatMs, formatShare } from './marks';

/** The command the "Profile next request" lens runs, with the endpoint key as argument. */
export const profileNextRequestCommand = 'gapscope.profileNextRequest';

/** `POST /login · p50 806 ms · 744 ms untraced · 97% explained`. */
export function endpointLensTitle(endpoint: EndpointStats): string {
  return [
    endpoint.key,
    `p50 ${formatMs(endpoint.p50Ms)}`,
    `${formatMs(endpoint.untracedMsPerRequest)} untraced`,
    `${formatShare(endpoint.explainedShare)} explained`,
  ].join(' · ');
}

/** Lenses for every endpoint of the analysis handled in `text`. */
export function endpointLenses(analysis: Analysis, text: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const endpoint of analysis.endpoints) {
    const line = findHandlerLine(text, endpoint);
    if (line === undefined) continue;

    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    const requestId = slowestRequestId(analysis, endpoint.key);
    const args: ShowTimelineArgs[] = [requestId === undefined ? {} : { requestId }];
    lenses.push({
      range,
      command: {
        title: endpointLensTitle(endpoint),
        command: showTimelineCommand,
        arguments: args,
      },
    });
    lenses.push({
      range,
      command: {
        title: 'Profile next request',
        command: profileNextRequestCommand,
        arguments: [endpoint.key],
      },
    });
  }
  return lenses;
}
