/**
 * In the plain web page there is no editor to reveal a line in: this panel shows `file:line` and
 * the lines around it, as the server sent them.
 */
import type { SourceSnippet } from '../src/shared/webviewMessages';
import { clear, h } from './dom';

export class SnippetPanel {
  private readonly panel = h('section', {
    className: 'snippet',
    attrs: { 'aria-label': 'Revealed source line', 'aria-live': 'polite' },
  });

  constructor(container: HTMLElement) {
    this.panel.hidden = true;
    container.append(this.panel);
  }

  /** Shows the snippet, or just the location when the server could not read the file. */
  show(file: string, line: number, snippet: SourceSnippet | undefined): void {
    clear(this.panel);
    this.panel.hidden = false;
    this.panel.append(h('h3', { className: 'location', text: `${file}:${line}` }));
    if (!snippet) {
      this.panel.append(
        h('p', { className: 'muted', text: 'The source of this file is not available.' }),
      );
      return;
    }

    const code = h('pre', { className: 'code' });
    snippet.lines.forEach((text, i) => {
      const number = snippet.firstLine + i;
      const row = h('div', { className: number === line ? 'line current' : 'line' }, [
        h('span', { className: 'number', text: String(number) }),
        h('span', { className: 'text', text }),
      ]);
      code.append(row);
    });
    this.panel.append(code);
  }
}
