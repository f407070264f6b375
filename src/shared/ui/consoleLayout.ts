import { z } from 'zod';

/**
 * The console's tiled layout: columns of stacked panels that the operator moves, hides and resizes. Pure data and
 * pure functions (no DOM), so the renderer, the settings schema and the tests share them.
 */

/** Every panel the console knows. A panel added later is appended here; saved layouts pick it up (normaliseLayout). */
export const PANEL_IDS = [
  'cameras',
  'arm3d',
  'plots',
  'arm',
  'run',
  'policy',
  'world',
  'episodes',
  'training',
  'evaluation',
  'log',
  'health',
  'system',
  'settings',
] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export const PANEL_TITLES: Record<PanelId, string> = {
  cameras: 'Cameras',
  arm3d: '3D arm view',
  plots: 'Joint and action plots',
  arm: 'Arm',
  run: 'Run',
  policy: 'Policy',
  world: 'World (simulated bench)',
  episodes: 'Episodes',
  training: 'Training',
  evaluation: 'Evaluation',
  log: 'Log',
  health: 'Main process health',
  system: 'System',
  settings: 'Settings',
};

export const PRESET_IDS = ['desktop', 'laptop'] as const;
export type LayoutPresetId = (typeof PRESET_IDS)[number];
export const PRESET_TITLES: Record<LayoutPresetId, string> = {
  desktop: 'Desktop 1920×1080',
  laptop: 'Laptop 1366×768',
};
/** Windows at least this wide start with the three-column desktop preset; narrower ones with the laptop preset. */
export const DESKTOP_MIN_WIDTH_PX = 1500;

/** A column is never narrower than this... */
export const MIN_COLUMN_WIDTH_PX = 300;
/** ...nor narrower than the widest minimum of the panels it shows (the arm's joint table needs this much). */
export const PANEL_MIN_WIDTH_PX: Partial<Record<PanelId, number>> = { arm: 880 };

/** The narrowest a column may get on screen: the area scrolls sideways rather than crush or overlap panels. */
export function columnMinWidthPx(column: LayoutColumn): number {
  return column.panels.reduce(
    (widest, panel) => (panel.hidden ? widest : Math.max(widest, PANEL_MIN_WIDTH_PX[panel.id] ?? 0)),
    MIN_COLUMN_WIDTH_PX,
  );
}

export const MIN_PANEL_HEIGHT_PX = 120;
export const MAX_PANEL_HEIGHT_PX = 4000;
export const MIN_COLUMN_FR = 0.3;
export const MAX_COLUMN_FR = 4;
export const MAX_COLUMNS = 4;

export interface LayoutPanel {
  id: PanelId;
  /** null: as tall as its content. */
  heightPx: number | null;
  hidden: boolean;
}
export interface LayoutColumn {
  /** The column's share of the width (CSS fr). */
  widthFr: number;
  panels: LayoutPanel[];
}
export interface ConsoleLayout {
  version: 1;
  columns: LayoutColumn[];
}
export type MoveDirection = 'up' | 'down' | 'left' | 'right';

const panelIdSchema = z.enum(PANEL_IDS, { error: (issue) => `unknown panel “${String(issue.input)}”` });

/** A layout as the console saves it: every panel once, sizes in range. The settings patch uses this. */
export const consoleLayoutSchema = z
  .object({
    version: z.literal(1),
    columns: z
      .array(
        z.object({
          widthFr: z.number().min(MIN_COLUMN_FR).max(MAX_COLUMN_FR),
          panels: z.array(
            z.object({
              id: panelIdSchema,
              heightPx: z.number().min(MIN_PANEL_HEIGHT_PX).max(MAX_PANEL_HEIGHT_PX).nullable(),
              hidden: z.boolean(),
            }),
          ),
        }),
      )
      .min(1, 'a layout needs at least one column')
      .max(MAX_COLUMNS, `a layout has at most ${MAX_COLUMNS} columns`),
  })
  .refine(
    (layout) => {
      const ids = layout.columns.flatMap((column) => column.panels.map((panel) => panel.id));
      return new Set(ids).size === ids.length;
    },
    { message: 'a panel appears twice in the layout' },
  );

/**
 * A layout as read from the settings file: the shape only. Panel ids and sizes from another version of Coach (or a
 * hand edit) are tolerated here and repaired by normaliseLayout, which says what it changed.
 */
export const storedLayoutSchema = z.object({
  version: z.number(),
  columns: z.array(
    z.object({
      widthFr: z.number(),
      panels: z.array(
        z.object({
          id: z.string(),
          heightPx: z.number().nullable().default(null),
          hidden: z.boolean().default(false),
        }),
      ),
    }),
  ),
});
export type StoredLayout = z.infer<typeof storedLayoutSchema>;

/** What a settings file holds where its layout could not be read at all: normaliseLayout falls back and says so. */
export const UNREADABLE_LAYOUT: StoredLayout = { version: 0, columns: [] };

function column(widthFr: number, ids: PanelId[], hidden: PanelId[] = []): LayoutColumn {
  return { widthFr, panels: ids.map((id) => ({ id, heightPx: null, hidden: hidden.includes(id) })) };
}

/** The presets: what "Reset layout" offers and what a console with no saved layout starts with. */
export function presetLayout(preset: LayoutPresetId): ConsoleLayout {
  if (preset === 'desktop')
    return {
      version: 1,
      columns: [
        // The right column holds the wide tables (episodes, refinement comparison): wider than the left one.
        column(0.8, ['run', 'policy', 'world', 'health', 'system']),
        column(2, ['cameras', 'arm3d', 'arm', 'plots']),
        column(1.2, ['episodes', 'log', 'training', 'evaluation', 'settings']),
      ],
    };
  const hidden: PanelId[] = ['health', 'system', 'settings'];
  return {
    version: 1,
    columns: [
      column(2, ['cameras', 'arm', 'arm3d', 'episodes', 'training', 'evaluation', 'plots']),
      column(1, ['run', 'policy', 'world', 'log', 'health', 'system', 'settings'], hidden),
    ],
  };
}

export function presetForWidth(widthPx: number): LayoutPresetId {
  return widthPx >= DESKTOP_MIN_WIDTH_PX ? 'desktop' : 'laptop';
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Where a panel is: its column and its index in that column; null when the layout lacks it. */
export function findPanel(layout: ConsoleLayout, id: PanelId): { column: number; index: number } | null {
  for (let column = 0; column < layout.columns.length; column++) {
    const index = layout.columns[column]!.panels.findIndex((panel) => panel.id === id);
    if (index >= 0) return { column, index };
  }
  return null;
}

export function isHidden(layout: ConsoleLayout, id: PanelId): boolean {
  const at = findPanel(layout, id);
  return at === null || layout.columns[at.column]!.panels[at.index]!.hidden;
}

export function hiddenPanels(layout: ConsoleLayout): PanelId[] {
  return layout.columns.flatMap((entry) => entry.panels.filter((panel) => panel.hidden).map((panel) => panel.id));
}

function cloneColumns(layout: ConsoleLayout): LayoutColumn[] {
  return layout.columns.map((entry) => ({
    widthFr: entry.widthFr,
    panels: entry.panels.map((panel) => ({ ...panel })),
  }));
}

function updatePanel(layout: ConsoleLayout, id: PanelId, change: Partial<LayoutPanel>): ConsoleLayout {
  const at = findPanel(layout, id);
  if (!at) return layout;
  const columns = cloneColumns(layout);
  const panels = columns[at.column]!.panels;
  panels[at.index] = { ...panels[at.index]!, ...change };
  return { version: 1, columns };
}

export function hidePanel(layout: ConsoleLayout, id: PanelId): ConsoleLayout {
  return updatePanel(layout, id, { hidden: true });
}

/** Shows a hidden panel where it was; a panel the layout lacks goes at the end of the first column. */
export function showPanel(layout: ConsoleLayout, id: PanelId): ConsoleLayout {
  if (findPanel(layout, id)) return updatePanel(layout, id, { hidden: false });
  const columns = cloneColumns(layout);
  columns[0]!.panels.push({ id, heightPx: null, hidden: false });
  return { version: 1, columns };
}

/** Sets a panel's height (clamped to the allowed range); null makes it as tall as its content again. */
export function resizePanel(layout: ConsoleLayout, id: PanelId, heightPx: number | null): ConsoleLayout {
  const height = heightPx === null ? null : Math.round(clamp(heightPx, MIN_PANEL_HEIGHT_PX, MAX_PANEL_HEIGHT_PX));
  return updatePanel(layout, id, { heightPx: height });
}

/**
 * Moves width between column `left` and the one to its right (positive deltaFr widens `left`); the pair's total
 * stays the same and neither gets narrower than MIN_COLUMN_FR.
 */
export function resizeColumns(layout: ConsoleLayout, left: number, deltaFr: number): ConsoleLayout {
  const a = layout.columns[left];
  const b = layout.columns[left + 1];
  if (!a || !b || !Number.isFinite(deltaFr)) return layout;
  const total = a.widthFr + b.widthFr;
  const low = Math.max(MIN_COLUMN_FR, total - MAX_COLUMN_FR);
  const high = Math.min(MAX_COLUMN_FR, total - MIN_COLUMN_FR);
  const nextA = Math.round(clamp(a.widthFr + deltaFr, low, high) * 1000) / 1000;
  const columns = cloneColumns(layout);
  columns[left]!.widthFr = nextA;
  columns[left + 1]!.widthFr = Math.round((total - nextA) * 1000) / 1000;
  return { version: 1, columns };
}

/** The index in `panels` before which a panel lands to be the `rank`-th visible one (panels.length: at the end). */
function indexForVisibleRank(panels: LayoutPanel[], rank: number): number {
  let seen = 0;
  for (let index = 0; index < panels.length; index++) {
    if (panels[index]!.hidden) continue;
    if (seen === rank) return index;
    seen++;
  }
  return panels.length;
}

/** Where a move would put the panel, or null when it cannot go that way (edge of the console). */
function moveTarget(
  layout: ConsoleLayout,
  id: PanelId,
  direction: MoveDirection,
): { column: number; index: number } | null {
  const at = findPanel(layout, id);
  if (!at) return null;
  const panels = layout.columns[at.column]!.panels;
  // Hidden panels are skipped over: a move always changes what the operator sees.
  const visibleBefore = panels.slice(0, at.index).filter((panel) => !panel.hidden).length;
  if (direction === 'up' || direction === 'down') {
    const step = direction === 'up' ? -1 : 1;
    let index = at.index + step;
    while (index >= 0 && index < panels.length && panels[index]!.hidden) index += step;
    if (index < 0 || index >= panels.length) return null;
    return { column: at.column, index };
  }
  const column = at.column + (direction === 'left' ? -1 : 1);
  if (column < 0 || column >= layout.columns.length) return null;
  return { column, index: indexForVisibleRank(layout.columns[column]!.panels, visibleBefore) };
}

export function canMove(layout: ConsoleLayout, id: PanelId, direction: MoveDirection): boolean {
  return moveTarget(layout, id, direction) !== null;
}

/** Moves a panel one place up/down in its column (past hidden ones) or into the neighbouring column, at the same height. */
export function movePanel(layout: ConsoleLayout, id: PanelId, direction: MoveDirection): ConsoleLayout {
  const at = findPanel(layout, id);
  const target = moveTarget(layout, id, direction);
  if (!at || !target) return layout;
  const columns = cloneColumns(layout);
  const [panel] = columns[at.column]!.panels.splice(at.index, 1);
  // Up/down: the target index already names the neighbour's slot in the list without the moved panel.
  columns[target.column]!.panels.splice(target.index, 0, panel!);
  return { version: 1, columns };
}

/** Puts a panel into `column`, before panel `beforeId` (null: at the end). Used by drag and drop. */
export function movePanelTo(
  layout: ConsoleLayout,
  id: PanelId,
  column: number,
  beforeId: PanelId | null,
): ConsoleLayout {
  const at = findPanel(layout, id);
  if (!at || column < 0 || column >= layout.columns.length || beforeId === id) return layout;
  const columns = cloneColumns(layout);
  const [panel] = columns[at.column]!.panels.splice(at.index, 1);
  const target = columns[column]!.panels;
  const before = beforeId === null ? -1 : target.findIndex((entry) => entry.id === beforeId);
  target.splice(before < 0 ? target.length : before, 0, { ...panel!, hidden: false });
  return { version: 1, columns };
}

export interface NormalisedLayout {
  layout: ConsoleLayout;
  /** What was wrong with the saved layout and what Coach did about it, for the operator. */
  warnings: string[];
  /** Panels the saved layout did not know (added in a later version): placed where the preset puts them. */
  added: PanelId[];
}

/**
 * Turns whatever the settings file held into a usable layout: unknown panels dropped, duplicates dropped, sizes
 * clamped, panels the saved layout lacks added where `fallback` puts them. A layout that cannot be used at all
 * (wrong shape, no columns) becomes the `fallback` preset. Never answers a layout without panels.
 */
export function normaliseLayout(saved: unknown, fallback: LayoutPresetId): NormalisedLayout {
  const preset = presetLayout(fallback);
  const parsed = storedLayoutSchema.safeParse(saved);
  const fallbackName = `the ${PRESET_TITLES[fallback]} preset`;
  if (!parsed.success || parsed.data.version !== 1 || parsed.data.columns.length === 0) {
    const why = !parsed.success
      ? parsed.error.issues.map((issue) => `${issue.path.join('.') || 'layout'}: ${issue.message}`).join('; ')
      : parsed.data.version !== 1
        ? `layout version ${parsed.data.version} is not one this Coach reads`
        : 'it has no columns (the settings file held something unreadable)';
    return {
      layout: preset,
      warnings: [`The saved panel layout could not be used (${why}); showing ${fallbackName} instead.`],
      added: [],
    };
  }
  const warnings: string[] = [];
  const known = new Set<string>(PANEL_IDS);
  const seen = new Set<PanelId>();
  const unknown: string[] = [];
  const duplicates: string[] = [];
  let clamped = false;
  const kept = parsed.data.columns.slice(0, MAX_COLUMNS);
  // Columns past the limit hand their panels to the last kept column.
  const overflow = parsed.data.columns.slice(MAX_COLUMNS).flatMap((entry) => entry.panels);
  if (parsed.data.columns.length > MAX_COLUMNS)
    warnings.push(`The saved layout had ${parsed.data.columns.length} columns; Coach shows at most ${MAX_COLUMNS}.`);
  const columns: LayoutColumn[] = kept.map((entry, index) => {
    const widthFr = Number.isFinite(entry.widthFr) ? clamp(entry.widthFr, MIN_COLUMN_FR, MAX_COLUMN_FR) : 1;
    if (widthFr !== entry.widthFr) clamped = true;
    const source = index === kept.length - 1 ? [...entry.panels, ...overflow] : entry.panels;
    const panels: LayoutPanel[] = [];
    for (const panel of source) {
      if (!known.has(panel.id)) {
        unknown.push(panel.id);
        continue;
      }
      const id = panel.id as PanelId;
      if (seen.has(id)) {
        duplicates.push(id);
        continue;
      }
      seen.add(id);
      let heightPx = panel.heightPx;
      if (heightPx !== null) {
        const fixed = Number.isFinite(heightPx)
          ? Math.round(clamp(heightPx, MIN_PANEL_HEIGHT_PX, MAX_PANEL_HEIGHT_PX))
          : null;
        if (fixed !== heightPx) clamped = true;
        heightPx = fixed;
      }
      panels.push({ id, heightPx, hidden: panel.hidden });
    }
    return { widthFr, panels };
  });
  if (unknown.length)
    warnings.push(
      `The saved layout named panels this Coach does not have (${unknown.join(', ')}); they were left out.`,
    );
  if (duplicates.length)
    warnings.push(`The saved layout listed ${duplicates.join(', ')} more than once; each is shown once.`);
  if (clamped) warnings.push('Some saved panel sizes were out of range and were adjusted.');

  const added: PanelId[] = [];
  for (const [presetColumn, entry] of preset.columns.entries())
    for (const panel of entry.panels) {
      if (seen.has(panel.id)) continue;
      added.push(panel.id);
      // A panel new to this layout shows (visible), in the column the preset gives it where that exists.
      columns[Math.min(presetColumn, columns.length - 1)]!.panels.push({ id: panel.id, heightPx: null, hidden: false });
    }
  return { layout: { version: 1, columns }, warnings, added };
}
