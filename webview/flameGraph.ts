/**
 * An icicle of an aggregated call tree (FlameData): roots on top, callees below, widths
 * proportional to samples, coloured by file like the waterfall. Click a frame with a line to
 * reveal it. Large trees stay cheap: frames narrower than a pixel are neither drawn nor listed.
 */
import type { FlameData } from '../src/shared/webviewMessages';
import { CanvasView, type CanvasItem } from './canvasView';
import { fileColor, palette } from './colors';
import { fitCanvas, h } from './dom';
import { baseName, fitText, formatMs, formatShare } from './format';

const ROW = 18;
/** Frames narrower than this (CSS px) are skipped. */
const MIN_WIDTH = 0.5;

interface Layout {
  x: Float64Array;
  width: Float64Array;
  depth: Int32Array;
  inclusive: Float64Array;
  maxDepth: number;
}

export class FlameGraph {
  private readonly view: CanvasView;
  private readonly box = h('div', { className: 'canvas-box flame-box' });
  private flame: FlameData | undefined;
  private layout: Layout | undefined;

  constructor(
    container: HTMLElement,
    private readonly reveal: (location: { file: string; line: number }) => void,
  ) {
    container.append(this.box);
    this.view = new CanvasView(
      this.box,
      'Flame graph: use arrow keys to walk frames; Enter reveals the frame line',
      item => item.location && this.reveal(item.location),
      () => this.draw(false),
    );
    new ResizeObserver(() => this.draw(false)).observe(this.box);
  }

  render(flame: FlameData | undefined): void {
    this.flame = flame;
    this.layout = flame ? layoutFlame(flame) : undefined;
    this.draw(true);
  }

  private draw(fresh: boolean): void {
    const flame = this.flame;
    const layout = this.layout;
    const height = layout ? (layout.maxDepth + 1) * ROW : 0;
    const { w } = fitCanvas(this.view.canvas, height);
    const ctx = this.view.canvas.getContext('2d');
    this.view.canvas.dataset.samples = String(flame?.totalSamples ?? 0);
    if (!ctx || !flame || !layout || flame.totalSamples === 0) return this.view.setItems([], fresh);

    ctx.font = palette().font;
    ctx.textBaseline = 'middle';
    const unit = w / flame.totalSamples;
    const items: CanvasItem[] = [];
    for (let n = 0; n < flame.parent.length; n++) {
      const width = layout.width[n]! * unit;
      if (width < MIN_WIDTH) continue;

      items.push(drawFrame(ctx, flame, layout, n, unit));
    }
    this.view.setItems(items, fresh);
    this.view.drawFocus();
  }
}

function drawFrame(
  ctx: CanvasRenderingContext2D,
  flame: FlameData,
  layout: Layout,
  n: number,
  unit: number,
): CanvasItem {
  const frame = flame.frame[n]!;
  const name = flame.frameNames[frame]!;
  const fileIndex = flame.frameFiles[frame]!;
  const file = fileIndex >= 0 ? flame.files[fileIndex] : undefined;
  const line = flame.frameLines[frame]!;
  const color = fileColor(file);
  const box = {
    x: layout.x[n]! * unit,
    y: layout.depth[n]! * ROW,
    w: layout.width[n]! * unit,
    h: ROW - 1,
  };

  ctx.fillStyle = color.fill;
  ctx.fillRect(box.x, box.y, Math.max(box.w - 0.5, 0.5), box.h);
  const text = fitText(ctx, name, box.w - 6);
  if (text) {
    ctx.fillStyle = color.text;
    ctx.fillText(text, box.x + 3, box.y + box.h / 2);
  }

  const samples = layout.inclusive[n]!;
  const where = file ? `${baseName(file)}:${line}` : 'native or internal';
  const share = formatShare(samples / flame.totalSamples);
  const tooltip = [
    name,
    where,
    `${formatMs(samples * flame.msPerSample)} (${share}), ${samples} samples`,
  ];
  const item: CanvasItem = { ...box, tooltip, label: `${name}, ${where}, ${share}` };
  if (file && line > 0) item.location = { file, line };
  return item;
}

/** Places every node: x and width in samples, children sorted by name under their parent. */
export function layoutFlame(flame: FlameData): Layout {
  const count = flame.parent.length;
  const inclusive = Float64Array.from(flame.selfSamples);
  const children: number[][] = Array.from({ length: count }, () => []);
  const roots: number[] = [];

  for (let n = count - 1; n >= 0; n--) {
    const parent = flame.parent[n]!;
    if (parent >= 0) inclusive[parent]! += inclusive[n]!;
  }
  for (let n = 0; n < count; n++) {
    const parent = flame.parent[n]!;
    (parent >= 0 ? children[parent]! : roots).push(n);
  }

  const layout: Layout = {
    x: new Float64Array(count),
    width: inclusive,
    depth: new Int32Array(count),
    inclusive,
    maxDepth: 0,
  };
  const byName = (a: number, b: number) =>
    flame.frameNames[flame.frame[a]!]!.localeCompare(flame.frameNames[flame.frame[b]!]!);
  placeSiblings(layout, roots.sort(byName), 0, 0);
  // Parents come before children, so one forward pass places every level.
  for (let n = 0; n < count; n++) {
    placeSiblings(layout, children[n]!.sort(byName), layout.x[n]!, layout.depth[n]! + 1);
  }
  return layout;
}

function placeSiblings(layout: Layout, nodes: number[], x: number, depth: number): void {
  let at = x;
  for (const n of nodes) {
    layout.x[n] = at;
    layout.depth[n] = depth;
    layout.maxDepth = Math.max(layout.maxDepth, depth);
    at += layout.width[n]!;
  }
}
