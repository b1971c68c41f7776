/**
 * The waterfall of one request on one time axis: the request, its spans (nested by depth), its
 * untraced gaps (prominent, labelled with what filled them), a CPU lane coloured by file with
 * time blocked by other requests hatched, and its waits. Below it, the gap causes as buttons.
 */
import type { Gap, GapCause } from '../src/core/model';
import type { RequestDetail } from '../src/shared/webviewMessages';
import { CanvasView, type CanvasItem } from './canvasView';
import { fileColor, palette } from './colors';
import { clear, fitCanvas, h, icon } from './dom';
import { baseName, fitText, formatMs, formatShare, shortLocation } from './format';

const AXIS = 20;
const ROW = 20;
const GUTTER = 64;

type Reveal = (location: { file: string; line: number }) => void;

export class Waterfall {
  private readonly view: CanvasView;
  private readonly causes = h('div', { className: 'gap-causes' });
  private detail: RequestDetail | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly reveal: Reveal,
  ) {
    const box = h('div', { className: 'canvas-box' });
    container.append(box, this.causes);
    this.view = new CanvasView(
      box,
      'Request waterfall: use arrow keys to walk spans, gaps and CPU slices; Enter reveals',
      item => item.location && this.reveal(item.location),
      () => this.draw(false),
    );
    new ResizeObserver(() => this.draw(false)).observe(box);
  }

  render(detail: RequestDetail | undefined): void {
    this.detail = detail;
    // Which request is drawn, for scripts and tests (the canvas itself has no DOM per item).
    if (detail) this.container.dataset.requestId = String(detail.row.id);
    else delete this.container.dataset.requestId;
    this.renderCauses();
    this.draw(true);
  }

  private draw(fresh: boolean): void {
    const detail = this.detail;
    const lanes = detail ? laneCount(detail) : 0;
    const { w } = fitCanvas(this.view.canvas, detail ? AXIS + lanes * ROW + 4 : 0);
    const ctx = this.view.canvas.getContext('2d');
    if (!ctx || !detail) return this.view.setItems([], fresh);

    ctx.font = palette().font;
    ctx.textBaseline = 'middle';
    const x = scale(detail, w);
    const items: CanvasItem[] = [];
    drawAxis(ctx, detail, w, x);
    let row = 0;
    items.push(drawRequest(ctx, detail, x, row++));
    const depth = spanDepth(detail);
    for (const span of detail.spans) items.push(drawSpan(ctx, span, x, row + span.depth));
    row += depth;
    laneLabel(ctx, 'gaps', row);
    for (const gap of detail.gaps) items.push(drawGap(ctx, gap, x, row));
    laneLabel(ctx, 'CPU', ++row);
    for (const slice of detail.cpuSlices) items.push(drawSlice(ctx, slice, x, row));
    if (detail.waits.length) laneLabel(ctx, 'waits', ++row);
    for (const wait of detail.waits) items.push(drawWait(ctx, wait, x, row));
    this.view.setItems(items, fresh);
    this.view.drawFocus();
  }

  private renderCauses(): void {
    clear(this.causes);
    const gaps = [...(this.detail?.gaps ?? [])].sort((a, b) => b.durationMs - a.durationMs);
    if (gaps.length === 0) return;

    this.causes.append(h('h4', { text: 'Untraced gaps' }));
    const list = h('ul');
    for (const gap of gaps) {
      for (const cause of gap.causes) list.append(h('li', {}, [this.causeButton(gap, cause)]));
    }
    this.causes.append(list);
  }

  private causeButton(gap: Gap, cause: GapCause): HTMLElement {
    const where = cause.location
      ? ` (${shortLocation(cause.location.file, cause.location.line)})`
      : '';
    const button = h('button', {
      className: `cause cause-${cause.kind}`,
      text: `${formatMs(cause.ms)} ${causeText(cause)}`,
      title: `${formatMs(gap.durationMs)} gap${where}`,
      attrs: { type: 'button', 'data-kind': cause.kind },
    });
    if (cause.location) button.prepend(icon('go-to-file'), ' ');
    const location = cause.location;
    if (location) button.addEventListener('click', () => this.reveal(location));
    else button.disabled = true;
    return button;
  }
}

/** `cpu: auth.ts:30 …`; a label that already starts with its kind is not prefixed twice. */
function causeText(cause: GapCause): string {
  return cause.label.startsWith(cause.kind) ? cause.label : `${cause.kind}: ${cause.label}`;
}

type Scale = (timeUs: number) => number;

function scale(detail: RequestDetail, width: number): Scale {
  const start = detail.row.startUs;
  const span = Math.max(1, detail.endUs - start);
  const usable = Math.max(10, width - GUTTER - 8);
  return t => GUTTER + ((t - start) / span) * usable;
}

function laneCount(detail: RequestDetail): number {
  return 1 + spanDepth(detail) + 2 + (detail.waits.length ? 1 : 0);
}

function spanDepth(detail: RequestDetail): number {
  return detail.spans.reduce((max, s) => Math.max(max, s.depth + 1), 0);
}

function rowY(row: number): number {
  return AXIS + row * ROW;
}

function drawAxis(ctx: CanvasRenderingContext2D, detail: RequestDetail, w: number, x: Scale) {
  const p = palette();
  const totalMs = (detail.endUs - detail.row.startUs) / 1000;
  const step = niceStep(totalMs / 6);
  ctx.fillStyle = p.muted;
  ctx.strokeStyle = p.muted;
  ctx.globalAlpha = 0.35;
  for (let ms = 0; ms <= totalMs + 1e-9; ms += step) {
    const px = Math.round(x(detail.row.startUs + ms * 1000)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, AXIS - 4);
    ctx.lineTo(px, ctx.canvas.height);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  for (let ms = 0; ms <= totalMs + 1e-9; ms += step) {
    const px = x(detail.row.startUs + ms * 1000);
    if (px < w - 30) ctx.fillText(formatMs(ms), px + 2, AXIS / 2);
  }
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}

function laneLabel(ctx: CanvasRenderingContext2D, text: string, row: number): void {
  ctx.fillStyle = palette().muted;
  ctx.fillText(text, 4, rowY(row) + ROW / 2);
}

function bar(
  ctx: CanvasRenderingContext2D,
  x0: number,
  x1: number,
  row: number,
  fill: string | CanvasPattern,
): { x: number; y: number; w: number; h: number } {
  const box = { x: x0, y: rowY(row) + 2, w: Math.max(1, x1 - x0), h: ROW - 4 };
  ctx.fillStyle = fill;
  ctx.fillRect(box.x, box.y, box.w, box.h);
  return box;
}

function label(
  ctx: CanvasRenderingContext2D,
  text: string,
  box: { x: number; w: number; y: number },
  color: string,
) {
  const fitted = fitText(ctx, text, box.w - 6);
  if (!fitted) return;

  ctx.fillStyle = color;
  ctx.fillText(fitted, box.x + 3, box.y + (ROW - 4) / 2);
}

function drawRequest(
  ctx: CanvasRenderingContext2D,
  detail: RequestDetail,
  x: Scale,
  row: number,
): CanvasItem {
  const p = palette();
  const r = detail.row;
  laneLabel(ctx, 'request', row);
  const box = bar(ctx, x(r.startUs), x(detail.endUs), row, p.muted);
  const text = `${r.method} ${r.url} ${formatMs(r.durationMs)}`;
  label(ctx, text, box, p.background);
  const tooltip = [text, `CPU ${formatMs(r.cpuMs)}, untraced ${formatMs(r.untracedMs)}`];
  tooltip.push(`explained ${formatShare(r.explainedShare)}`);
  return { ...box, tooltip, label: text };
}

function drawSpan(
  ctx: CanvasRenderingContext2D,
  span: RequestDetail['spans'][number],
  x: Scale,
  row: number,
): CanvasItem {
  const p = palette();
  if (span.depth === 0) laneLabel(ctx, 'spans', row);
  const box = bar(ctx, x(span.startUs), x(span.endUs), row, p.span);
  const ms = (span.endUs - span.startUs) / 1000;
  label(ctx, span.name, box, readable(p.span));
  const tooltip = [
    span.name,
    `${formatMs(ms)} · ${span.source === 'tracer' ? 'tracer span' : 'Gapscope span'}`,
  ];
  return { ...box, tooltip, label: `span ${span.name}, ${formatMs(ms)}` };
}

function drawGap(ctx: CanvasRenderingContext2D, gap: Gap, x: Scale, row: number): CanvasItem {
  const p = palette();
  const box = bar(ctx, x(gap.startUs), x(gap.endUs), row, hatch(ctx, p.gap));
  ctx.strokeStyle = p.gap;
  ctx.lineWidth = 1;
  ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
  const top = gap.causes[0];
  const text = `${formatMs(gap.durationMs)} untraced${top ? ': ' + top.label : ''}`;
  ctx.fillStyle = p.background;
  const fitted = fitText(ctx, text, box.w - 6);
  if (fitted) {
    const width = ctx.measureText(fitted).width;
    ctx.fillRect(box.x + 2, box.y + 2, width + 4, box.h - 4);
    label(ctx, fitted, box, p.foreground);
  }
  const tooltip = [`${formatMs(gap.durationMs)} not covered by any span`];
  for (const c of gap.causes) tooltip.push(`${formatMs(c.ms)} ${causeText(c)}`);
  const withLine = gap.causes.find(c => c.location);
  const item: CanvasItem = { ...box, tooltip, label: text };
  if (withLine?.location) item.location = withLine.location;
  return item;
}

function drawSlice(
  ctx: CanvasRenderingContext2D,
  slice: RequestDetail['cpuSlices'][number],
  x: Scale,
  row: number,
): CanvasItem {
  const p = palette();
  const color = fileColor(slice.location?.file);
  const fill =
    slice.kind === 'blocked' ? hatch(ctx, p.blocked) : slice.kind === 'gc' ? p.gc : color.fill;
  const box = bar(ctx, x(slice.startUs), x(slice.endUs), row, fill);
  const where = slice.location ? shortLocation(slice.location.file, slice.location.line) : '';
  const name = slice.kind === 'blocked' ? `blocked by ${slice.functionName}` : slice.functionName;
  const text = [slice.inner ?? name, where].filter(Boolean).join(' ');
  if (slice.kind === 'cpu') label(ctx, text, box, color.text);
  const ms = (slice.endUs - slice.startUs) / 1000;
  const tooltip = [
    name,
    `${formatMs(ms)} ${slice.kind === 'blocked' ? 'loop held by another request' : slice.kind}`,
  ];
  if (slice.inner) tooltip.push(`inside ${slice.inner}`);
  if (slice.location) tooltip.push(`${baseName(slice.location.file)} line ${slice.location.line}`);
  const item: CanvasItem = { ...box, tooltip, label: `${text}, ${formatMs(ms)}` };
  if (slice.location) item.location = slice.location;
  return item;
}

function drawWait(
  ctx: CanvasRenderingContext2D,
  wait: RequestDetail['waits'][number],
  x: Scale,
  row: number,
): CanvasItem {
  const p = palette();
  const box = bar(ctx, x(wait.startUs), x(wait.endUs), row, p.wait);
  label(ctx, wait.label, box, readable(p.wait));
  const ms = (wait.endUs - wait.startUs) / 1000;
  const tooltip = [`${wait.kind}: ${wait.label}`, formatMs(ms)];
  if (wait.file && wait.line) tooltip.push(shortLocation(wait.file, wait.line));
  const item: CanvasItem = { ...box, tooltip, label: `${wait.kind} wait ${formatMs(ms)}` };
  if (wait.file && wait.line) item.location = { file: wait.file, line: wait.line };
  return item;
}

function readable(fill: string): string {
  const p = palette();
  const index = p.files.indexOf(fill);
  return index >= 0 ? p.onFiles[index]! : p.background;
}

/** Diagonal stripes of `color`, for gaps and blocked time. */
function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const t = tile.getContext('2d');
  if (!t) return color;

  t.globalAlpha = 0.35;
  t.fillStyle = color;
  t.fillRect(0, 0, 8, 8);
  t.globalAlpha = 1;
  t.strokeStyle = color;
  t.lineWidth = 2;
  t.beginPath();
  t.moveTo(-2, 10);
  t.lineTo(10, -2);
  t.stroke();
  return ctx.createPattern(tile, 'repeat') ?? color;
}
