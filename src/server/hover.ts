/**
 * The hover of a hot line: per endpoint ms/request, share and samples, the frames below the line
 * that took the time (`in crypto.pbkdf2Sync`), the hint for a known culprit, the untraced part,
 * and a link that opens the timeline at the endpoint's slowest request. Pure.
 */
import type { Analysis, HotLine } from '../core/model';
import { showTimelineCommand } from '../shared/protocol';
import { formatMs, formatShare } from './marks';

/** Arguments of the timeline command a hover or lens links to. */
export interface ShowTimelineArgs {
  requestId?: number;
}

/** A `command:` link VS Code runs when clicked (needs a trusted markdown hover). */
export function commandLink(title: string, command: string, args: unknown[]): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}

/** The id of the endpoint's slowest request, the one most worth looking at. */
export function slowestRequestId(analysis: Analysis, endpoint: string): number | undefined {
  let slowest: { id: number; durationMs: number } | undefined;
  for (const request of analysis.requests) {
    if (request.endpoint !== endpoint) continue;
    if (!slowest || request.durationMs > slowest.durationMs) slowest = request;
  }
  return slowest?.id;
}

/** Markdown for a hot line, `entries` being every endpoint's entry for it, hottest first. */
export function hotLineHover(analysis: Analysis, entries: readonly HotLine[]): string {
  const top = entries[0];
  if (!top) return '';

  const parts = [`**Gapscope** · hot line in \`${top.functionName || '(anonymous)'}\``, ''];
  parts.push('| endpoint | ms/req | share | samples |', '|---|--:|--:|--:|');
  for (const entry of entries) {
    const ms = formatMs(entry.msPerRequest);
    parts.push(`| ${entry.endpoint} | ${ms} | ${formatShare(entry.share)} | ${entry.samples} |`);
  }

  const inner = innerFrameLines(top);
  if (inner.length) parts.push('', ...inner);
  if (top.untracedMsPerRequest > 0) {
    const untraced = formatMs(top.untracedMsPerRequest);
    parts.push('', `${untraced}/req of it ran outside any span (untraced).`);
  }
  if (top.hint) parts.push('', `**Hint:** ${top.hint}`);

  const requestId = slowestRequestId(analysis, top.endpoint);
  const args: ShowTimelineArgs[] = [requestId === undefined ? {} : { requestId }];
  const title = requestId === undefined ? 'Open timeline' : 'Open timeline at slowest request';
  parts.push('', commandLink(title, showTimelineCommand, args));
  return parts.join('\n');
}

/** `in crypto.pbkdf2Sync · 600 ms/req (98% of the line)`, biggest first, at most three. */
function innerFrameLines(line: HotLine): string[] {
  // Inner frames' ms are per request of the endpoint, like the line's own msPerRequest.
  return [...line.innerFrames]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map(frame => {
      const share = line.msPerRequest > 0 ? Math.min(1, frame.ms / line.msPerRequest) : 0;
      const perRequest = `${formatMs(frame.ms)}/req`;
      return `- in \`${frame.name}\` · ${perRequest} (${formatShare(share)} of the line)`;
    });
}
