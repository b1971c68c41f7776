/** The selected endpoint's latency distribution as a bar chart, drawn with uPlot. */
import uPlot from 'uplot';
import type { LatencyHistogram } from '../src/shared/webviewMessages';
import { palette } from './colors';
import { formatMs } from './format';

const HEIGHT = 120;

export class LatencyChart {
  private plot: uPlot | undefined;
  private histogram: LatencyHistogram | undefined;

  constructor(private readonly container: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
  }

  render(histogram: LatencyHistogram | undefined): void {
    this.histogram = histogram;
    this.plot?.destroy();
    this.plot = undefined;
    if (!histogram || histogram.counts.length === 0) return;

    const bins = histogram.counts.length;
    const width = (histogram.maxMs - histogram.minMs) / bins;
    const xs = histogram.counts.map((_, i) => histogram.minMs + (i + 0.5) * width);
    const p = palette();
    const axis = {
      stroke: p.muted,
      grid: { stroke: p.muted, width: 0.25 },
      ticks: { show: false },
    };
    this.plot = new uPlot(
      {
        ...this.size(),
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map(t => formatMs(t)) },
          { ...axis, size: 36 },
        ],
        series: [
          {},
          {
            label: 'requests',
            fill: p.span,
            stroke: p.span,
            paths: uPlot.paths.bars!({ size: [0.9, 40] }),
            points: { show: false },
          },
        ],
      },
      [xs, histogram.counts],
      this.container,
    );
  }

  /** Redraws with the current theme's colours. */
  refresh(): void {
    this.render(this.histogram);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(120, this.container.clientWidth), height: HEIGHT };
  }
}
