/**
 * Paints the hot lines: a background heat and a gutter bar scaled by self time, an overview
 * ruler mark, the end-of-line hint, and a distinct mark on lines that ran in untraced gaps.
 * Marks come from the server in full on every update; between updates they follow the user's
 * edits (shift with inserted lines, drop on changed lines).
 */
import * as vscode from 'vscode';

import { mapLineThroughEdit, toLineEdit } from '../shared/lineMap';
import type { FileMarks, LineMark } from '../shared/protocol';
import type { MarkSettings } from './config';
import { HEAT_LEVELS as LEVELS, heatLevel } from './present';

/** A gutter bar as an SVG data URI: longer for hotter lines, dashed for untraced ones. */
function gutterIcon(level: number, untraced: boolean): vscode.Uri {
  const width = 4 + level * 3;
  const color = untraced ? '#c586c0' : '#ff5a00';
  const dash = untraced ? ' stroke-dasharray="3 2"' : '';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">` +
    `<line x1="0" y1="8" x2="${width}" y2="8" stroke="${color}" stroke-width="6"${dash}/></svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`);
}

export class HotLineDecorations implements vscode.Disposable {
  private readonly files = new Map<string, LineMark[]>();
  private types = new Map<string, vscode.TextEditorDecorationType>();
  private visible = true;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private settings: MarkSettings) {
    this.types = this.createTypes();
    this.subscriptions.push(
      vscode.window.onDidChangeVisibleTextEditors(editors => editors.forEach(e => this.render(e))),
      vscode.workspace.onDidChangeTextDocument(event => this.followEdits(event)),
    );
  }

  /** True when hot lines are shown (Toggle Hot Lines flips it). */
  get isVisible(): boolean {
    return this.visible;
  }

  /** Number of marked lines over all files, for the status bar and tests. */
  get markCount(): number {
    let count = 0;
    for (const marks of this.files.values()) count += marks.length;
    return count;
  }

  /** Replaces every mark with the server's. */
  update(files: FileMarks[]): void {
    this.files.clear();
    for (const file of files) if (file.lines.length) this.files.set(file.uri, file.lines);
    this.renderAll();
  }

  clear(): void {
    this.files.clear();
    this.renderAll();
  }

  toggle(): boolean {
    this.visible = !this.visible;
    this.renderAll();
    return this.visible;
  }

  updateSettings(settings: MarkSettings): void {
    this.settings = settings;
    for (const type of this.types.values()) type.dispose();
    this.types = this.createTypes();
    this.renderAll();
  }

  dispose(): void {
    for (const type of this.types.values()) type.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private createTypes(): Map<string, vscode.TextEditorDecorationType> {
    const types = new Map<string, vscode.TextEditorDecorationType>();
    for (const level of LEVELS) {
      for (const untraced of [false, true]) {
        types.set(typeKey(level, untraced), this.createType(level, untraced));
      }
    }
    return types;
  }

  private createType(level: number, untraced: boolean): vscode.TextEditorDecorationType {
    const options: vscode.DecorationRenderOptions = {
      isWholeLine: true,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      after: {
        color: new vscode.ThemeColor(
          untraced ? 'gapscope.untracedHintForeground' : 'gapscope.hintForeground',
        ),
        margin: '0 0 0 2em',
        fontStyle: 'italic',
      },
    };
    const distinct = untraced && this.settings.untraced;
    if (this.settings.heat) {
      options.backgroundColor = new vscode.ThemeColor(`gapscope.heat${level}Background`);
    }
    if (this.settings.gutter) options.gutterIconPath = gutterIcon(level, distinct);
    if (this.settings.overviewRuler) {
      options.overviewRulerColor = new vscode.ThemeColor(
        distinct ? 'gapscope.untracedLineRuler' : 'gapscope.hotLineRuler',
      );
      options.overviewRulerLane = vscode.OverviewRulerLane.Right;
    }
    if (distinct) {
      options.borderColor = new vscode.ThemeColor('gapscope.untracedLineBorder');
      options.borderStyle = 'dashed';
      options.borderWidth = '0 0 0 2px';
    }
    return vscode.window.createTextEditorDecorationType(options);
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  private render(editor: vscode.TextEditor): void {
    const marks = this.visible ? (this.files.get(editor.document.uri.toString()) ?? []) : [];
    const byType = new Map<string, vscode.DecorationOptions[]>();
    for (const key of this.types.keys()) byType.set(key, []);

    for (const mark of marks) {
      const line = mark.line - 1;
      if (line < 0 || line >= editor.document.lineCount) continue;

      const untraced = mark.untraced && this.settings.untraced;
      const range = editor.document.lineAt(line).range;
      byType.get(typeKey(heatLevel(mark.heat), untraced))!.push({
        range,
        hoverMessage: undefined,
        renderOptions: { after: { contentText: this.hintText(mark, untraced) } },
      });
    }
    for (const [key, type] of this.types) editor.setDecorations(type, byType.get(key) ?? []);
  }

  private hintText(mark: LineMark, untraced: boolean): string {
    if (!this.settings.hint || this.settings.hintStyle !== 'decoration') return '';
    return untraced ? `${mark.label} · untraced` : mark.label;
  }

  private followEdits(event: vscode.TextDocumentChangeEvent): void {
    const uri = event.document.uri.toString();
    const marks = this.files.get(uri);
    if (!marks || event.contentChanges.length === 0) return;

    let moved = marks;
    for (const change of event.contentChanges) {
      const edit = toLineEdit(change.range.start, change.range.end, change.text);
      moved = moved.flatMap(mark => {
        const line = mapLineThroughEdit(mark.line - 1, edit);
        return line === undefined ? [] : [{ ...mark, line: line + 1 }];
      });
    }
    this.files.set(uri, moved);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === uri) this.render(editor);
    }
  }
}

function typeKey(level: number, untraced: boolean): string {
  return `${level}:${untraced ? 'untraced' : 'traced'}`;
}
