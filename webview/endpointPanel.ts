/** The selected endpoint: its figures, its latency distribution and its hot lines (clickable). */
import type { EndpointRow } from '../src/shared/webviewMessages';
import { clear, h, icon } from './dom';
import { counted, formatMs, formatShare, shortLocation } from './format';
import { LatencyChart } from './latencyChart';

/** Hot lines listed under the endpoint. */
const HOT_LINES = 5;

export class EndpointPanel {
  private readonly heading = h('h2', { className: 'endpoint-title' });
  private readonly figures = h('p', { className: 'muted' });
  private readonly chartBox = h('div', { className: 'latency-chart', attrs: { role: 'img' } });
  private readonly hotLines = h('ul', {
    className: 'hot-lines',
    attrs: { 'aria-label': 'Hot lines' },
  });
  private readonly chart = new LatencyChart(this.chartBox);
  private row: EndpointRow | undefined;

  constructor(
    container: HTMLElement,
    private readonly reveal: (location: { file: string; line: number }) => void,
  ) {
    const text = h('div', { className: 'endpoint-text' }, [
      this.heading,
      this.figures,
      this.hotLines,
    ]);
    container.append(
      h('section', { className: 'endpoint-panel', attrs: { 'aria-label': 'Selected endpoint' } }, [
        text,
        this.chartBox,
      ]),
    );
  }

  render(row: EndpointRow | undefined): void {
    this.row = row;
    clear(this.hotLines);
    this.heading.textContent = row ? `${row.method} ${row.route}` : 'No endpoint selected';
    this.figures.textContent = row ? figures(row) : '';
    this.chartBox.setAttribute(
      'aria-label',
      row ? `Latency distribution of ${counted(row.count, 'request')}` : '',
    );
    this.chart.render(row?.histogram);
    for (const line of row?.hotLines.slice(0, HOT_LINES) ?? []) {
      const where = shortLocation(line.file, line.line);
      const button = h('button', {
        className: 'link',
        text: `${formatMs(line.msPerRequest)}/req ${line.functionName} ${where}`,
        title: `${line.file}:${line.line}`,
        attrs: { type: 'button' },
      });
      button.prepend(icon('go-to-file'), ' ');
      button.addEventListener('click', () => this.reveal({ file: line.file, line: line.line }));
      this.hotLines.append(h('li', {}, [button]));
    }
  }

  /** Redraws after a theme change. */
  refresh(): void {
    this.render(this.row);
  }
}

function figures(row: EndpointRow): string {
  return (
    `${counted(row.count, 'request')} · p50 ${formatMs(row.p50Ms)} · ` +
    `p95 ${formatMs(row.p95Ms)} · ` +
    `p99 ${formatMs(row.p99Ms)} · CPU ${formatMs(row.cpuMsPerRequest)}/req · ` +
    `untraced ${formatShare(row.untracedShare)} · explained ${formatShare(row.explainedShare)}`
  );
}
