/**
 * Colours for the canvases, read from CSS custom properties (media/timeline.css maps them to the
 * VS Code theme's `--vscode-*` variables) and re-read when the theme changes. Files get one of a
 * few chart colours by a stable hash, so the waterfall and the flame graph agree.
 */

/** Resolved colours of the current theme (CSS colour strings). */
export interface Palette {
  files: string[];
  native: string;
  gap: string;
  blocked: string;
  gc: string;
  span: string;
  wait: string;
  foreground: string;
  muted: string;
  background: string;
  focus: string;
  /** Canvas font: the panel's own font family at 12px. */
  font: string;
  /** Text colour readable on each file colour, same order as `files`. */
  onFiles: string[];
}

const FILE_VARS = ['--gs-file-0', '--gs-file-1', '--gs-file-2', '--gs-file-3', '--gs-file-4'];

let current: Palette | undefined;
const listeners: (() => void)[] = [];

/** The palette of the current theme. */
export function palette(): Palette {
  current ??= readPalette();
  return current;
}

/** Calls `listener` after the theme changed (VS Code body class/style, or the OS scheme). */
export function onDidChangeTheme(listener: () => void): void {
  listeners.push(listener);
  if (listeners.length > 1) return;

  const changed = () => {
    current = undefined;
    for (const l of listeners) l();
  };
  const observer = new MutationObserver(changed);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', changed);
}

/**
 * The colour of a file, by its base name without extension: the analysis names the `.ts` file a
 * source map leads to while the flame graph names the compiled `.js`, and both must match.
 */
export function fileColor(file: string | undefined): { fill: string; text: string } {
  const p = palette();
  // Node's own modules (`node:internal/...`) are not the user's code: drawn like native frames.
  if (!file || file.startsWith('node:')) return { fill: p.native, text: p.background };

  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const index = hash(base.replace(/\.[cm]?[jt]sx?$/, '')) % p.files.length;
  return { fill: p.files[index]!, text: p.onFiles[index]! };
}

function readPalette(): Palette {
  const probe = document.createElement('span');
  probe.hidden = true;
  document.body.append(probe);
  const read = (name: string) => {
    probe.style.color = `var(${name})`;
    return getComputedStyle(probe).color;
  };
  const files = FILE_VARS.map(read);
  const result: Palette = {
    files,
    native: read('--gs-native'),
    gap: read('--gs-gap'),
    blocked: read('--gs-blocked'),
    gc: read('--gs-gc'),
    span: read('--gs-span'),
    wait: read('--gs-wait'),
    foreground: read('--gs-foreground'),
    muted: read('--gs-muted'),
    background: read('--gs-background'),
    focus: read('--gs-focus'),
    font: `12px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`,
    onFiles: files.map(readableOn),
  };
  probe.remove();
  return result;
}

/** Black or white text, whichever contrasts more with an `rgb(...)` colour. */
export function readableOn(color: string): string {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return luminance > 0.55 ? '#000000' : '#ffffff';
}

function hash(text: string): number {
  let value = 2166136261;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 16777619);
  }
  return value >>> 0;
}
