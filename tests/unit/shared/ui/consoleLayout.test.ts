import { describe, expect, it } from 'vitest';
import {
  canMove,
  columnMinWidthPx,
  MIN_COLUMN_WIDTH_PX,
  consoleLayoutSchema,
  findPanel,
  hiddenPanels,
  hidePanel,
  isHidden,
  MAX_PANEL_HEIGHT_PX,
  MIN_COLUMN_FR,
  MIN_PANEL_HEIGHT_PX,
  movePanel,
  movePanelTo,
  normaliseLayout,
  PANEL_IDS,
  presetForWidth,
  presetLayout,
  resizeColumns,
  resizePanel,
  showPanel,
  type ConsoleLayout,
  type PanelId,
} from '../../../../src/shared/ui/consoleLayout';
import { settingsPatchSchema, settingsSchema } from '../../../../src/shared/settings';

function ids(layout: ConsoleLayout): PanelId[][] {
  return layout.columns.map((column) => column.panels.map((panel) => panel.id));
}

function small(): ConsoleLayout {
  return {
    version: 1,
    columns: [
      {
        widthFr: 1,
        panels: [
          { id: 'run', heightPx: null, hidden: false },
          { id: 'health', heightPx: null, hidden: true },
          { id: 'arm', heightPx: null, hidden: false },
        ],
      },
      {
        widthFr: 2,
        panels: [
          { id: 'cameras', heightPx: null, hidden: false },
          { id: 'log', heightPx: null, hidden: false },
        ],
      },
    ],
  };
}

describe('presets', () => {
  it('hold every panel exactly once and pass the strict schema', () => {
    for (const preset of ['desktop', 'laptop'] as const) {
      const layout = presetLayout(preset);
      expect(ids(layout).flat().sort()).toEqual([...PANEL_IDS].sort());
      expect(consoleLayoutSchema.safeParse(layout).success).toBe(true);
    }
  });

  it('desktop has three columns with the cameras in the wide middle; laptop two with settings/health/system hidden', () => {
    const desktop = presetLayout('desktop');
    expect(desktop.columns).toHaveLength(3);
    expect(findPanel(desktop, 'cameras')?.column).toBe(1);
    expect(desktop.columns[1]!.widthFr).toBeGreaterThan(desktop.columns[0]!.widthFr);
    expect(hiddenPanels(desktop)).toEqual([]);
    const laptop = presetLayout('laptop');
    expect(laptop.columns).toHaveLength(2);
    expect(hiddenPanels(laptop).sort()).toEqual(['health', 'settings', 'system']);
    expect(isHidden(laptop, 'arm')).toBe(false);
  });

  it('keep the arm (its joint table needs 880 px) in the wide column, which never gets narrower than that', () => {
    for (const preset of ['desktop', 'laptop'] as const) {
      const layout = presetLayout(preset);
      const armColumn = findPanel(layout, 'arm')!.column;
      expect(columnMinWidthPx(layout.columns[armColumn]!)).toBe(880);
      expect(layout.columns[armColumn]!.widthFr).toBe(Math.max(...layout.columns.map((column) => column.widthFr)));
    }
    expect(columnMinWidthPx(presetLayout('desktop').columns[0]!)).toBe(MIN_COLUMN_WIDTH_PX);
    expect(columnMinWidthPx(hidePanel(presetLayout('desktop'), 'arm').columns[1]!)).toBe(MIN_COLUMN_WIDTH_PX);
  });

  it('follow the window width', () => {
    expect(presetForWidth(1920)).toBe('desktop');
    expect(presetForWidth(1600)).toBe('desktop');
    expect(presetForWidth(1366)).toBe('laptop');
  });
});

describe('moving panels', () => {
  it('up and down skip hidden panels and stop at the column ends', () => {
    const layout = small();
    expect(ids(movePanel(layout, 'arm', 'up'))[0]).toEqual(['arm', 'run', 'health']);
    expect(ids(movePanel(layout, 'run', 'down'))[0]).toEqual(['health', 'arm', 'run']);
    expect(canMove(layout, 'run', 'up')).toBe(false);
    expect(canMove(layout, 'arm', 'down')).toBe(false);
    expect(movePanel(layout, 'run', 'up')).toBe(layout);
  });

  it('left and right keep the visible position and stop at the console edges', () => {
    const layout = small();
    // arm is the 2nd visible panel of column 0: it lands 2nd in column 1.
    expect(ids(movePanel(layout, 'arm', 'right'))).toEqual([
      ['run', 'health'],
      ['cameras', 'arm', 'log'],
    ]);
    expect(ids(movePanel(layout, 'log', 'left'))).toEqual([['run', 'health', 'log', 'arm'], ['cameras']]);
    expect(canMove(layout, 'run', 'left')).toBe(false);
    expect(canMove(layout, 'cameras', 'right')).toBe(false);
  });

  it('drag and drop puts a panel before another or at a column end, and never changes the input', () => {
    const layout = small();
    const before = JSON.stringify(layout);
    expect(ids(movePanelTo(layout, 'run', 1, 'log'))).toEqual([
      ['health', 'arm'],
      ['cameras', 'run', 'log'],
    ]);
    expect(ids(movePanelTo(layout, 'cameras', 0, null))).toEqual([['run', 'health', 'arm', 'cameras'], ['log']]);
    expect(movePanelTo(layout, 'run', 5, null)).toBe(layout);
    expect(JSON.stringify(layout)).toBe(before);
  });
});

describe('hiding, showing, resizing', () => {
  it('hides and shows a panel in its place', () => {
    const hidden = hidePanel(small(), 'arm');
    expect(isHidden(hidden, 'arm')).toBe(true);
    expect(hiddenPanels(hidden)).toEqual(['health', 'arm']);
    const shown = showPanel(hidden, 'arm');
    expect(isHidden(shown, 'arm')).toBe(false);
    expect(findPanel(shown, 'arm')).toEqual({ column: 0, index: 2 });
  });

  it('shows a panel the layout lacks at the end of the first column', () => {
    const shown = showPanel(small(), 'settings');
    expect(ids(shown)[0]).toEqual(['run', 'health', 'arm', 'settings']);
  });

  it('clamps panel heights and lets them go back to their content height', () => {
    expect(findHeight(resizePanel(small(), 'arm', 10))).toBe(MIN_PANEL_HEIGHT_PX);
    expect(findHeight(resizePanel(small(), 'arm', 1e9))).toBe(MAX_PANEL_HEIGHT_PX);
    expect(findHeight(resizePanel(small(), 'arm', 333.4))).toBe(333);
    expect(findHeight(resizePanel(resizePanel(small(), 'arm', 333), 'arm', null))).toBeNull();
  });

  it('moves width between neighbouring columns, keeping their total and a minimum width', () => {
    const wider = resizeColumns(small(), 0, 0.5);
    expect(wider.columns.map((column) => column.widthFr)).toEqual([1.5, 1.5]);
    const squeezed = resizeColumns(small(), 0, -5);
    expect(squeezed.columns[0]!.widthFr).toBe(MIN_COLUMN_FR);
    expect(squeezed.columns[0]!.widthFr + squeezed.columns[1]!.widthFr).toBeCloseTo(3);
    expect(resizeColumns(small(), 1, 0.5)).toEqual(small());
  });
});

function findHeight(layout: ConsoleLayout): number | null {
  const at = findPanel(layout, 'arm')!;
  return layout.columns[at.column]!.panels[at.index]!.heightPx;
}

describe('normaliseLayout: whatever the settings file held becomes a usable layout', () => {
  it('keeps a valid layout and adds the panels it lacks, visible, without a warning', () => {
    const result = normaliseLayout(small(), 'desktop');
    expect(result.warnings).toEqual([]);
    expect(
      ids(result.layout)
        .slice(0, 2)
        .map((column) => column.slice(0, 3)),
    ).toEqual([
      ['run', 'health', 'arm'],
      ['cameras', 'log', 'arm3d'],
    ]);
    expect(ids(result.layout).flat().sort()).toEqual([...PANEL_IDS].sort());
    expect(result.added).toContain('plots');
    expect(isHidden(result.layout, 'plots')).toBe(false);
    expect(consoleLayoutSchema.safeParse(result.layout).success).toBe(true);
  });

  it('drops unknown and repeated panels and clamps sizes, saying so', () => {
    const saved = {
      version: 1,
      columns: [
        {
          widthFr: 99,
          panels: [
            { id: 'teleport', heightPx: null, hidden: false },
            { id: 'run', heightPx: 5, hidden: false },
            { id: 'run', heightPx: null, hidden: true },
          ],
        },
      ],
    };
    const result = normaliseLayout(saved, 'laptop');
    expect(result.warnings.join(' ')).toContain('teleport');
    expect(result.warnings.join(' ')).toContain('run more than once');
    expect(result.warnings.join(' ')).toContain('out of range');
    expect(ids(result.layout)[0]![0]).toBe('run');
    expect(result.layout.columns[0]!.panels[0]!.heightPx).toBe(MIN_PANEL_HEIGHT_PX);
    expect(ids(result.layout).flat().sort()).toEqual([...PANEL_IDS].sort());
    expect(consoleLayoutSchema.safeParse(result.layout).success).toBe(true);
  });

  it.each([
    ['garbage', 'not a layout'],
    ['no columns', { version: 1, columns: [] }],
    ['a future version', { version: 7, columns: [{ widthFr: 1, panels: [] }] }],
    ['wrong shape', { version: 1, columns: [{ widthFr: 'wide', panels: 3 }] }],
  ])('falls back to the preset with a warning: %s', (_name, saved) => {
    const result = normaliseLayout(saved, 'laptop');
    expect(result.layout).toEqual(presetLayout('laptop'));
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/could not be used .*Laptop 1366×768 preset/);
  });

  it('folds columns past the limit into the last one', () => {
    const saved = {
      version: 1,
      columns: ['run', 'arm', 'log', 'cameras', 'policy'].map((id) => ({ widthFr: 1, panels: [{ id }] })),
    };
    const result = normaliseLayout(saved, 'desktop');
    expect(result.layout.columns).toHaveLength(4);
    expect(ids(result.layout)[3]!.slice(0, 2)).toEqual(['cameras', 'policy']);
    expect(result.warnings[0]).toContain('at most 4');
  });
});

describe('settings: ui.layout and ui.firstRunDone', () => {
  it('default to no layout and the guide not done', () => {
    expect(settingsSchema.parse({}).ui).toEqual({ theme: 'dark', layout: null, firstRunDone: false });
  });

  it('an unreadable layout costs only the layout, never the other settings', () => {
    const settings = settingsSchema.parse({
      ui: { layout: { columns: 'oops' }, firstRunDone: true },
      recording: { fps: 12 },
    });
    expect(settings.recording.fps).toBe(12);
    expect(settings.ui.firstRunDone).toBe(true);
    const result = normaliseLayout(settings.ui.layout, 'desktop');
    expect(result.layout).toEqual(presetLayout('desktop'));
    expect(result.warnings[0]).toContain('could not be used');
  });

  it('a layout with panels from another version loads; the console repairs it', () => {
    const saved = { version: 1, columns: [{ widthFr: 1, panels: [{ id: 'future', heightPx: null, hidden: false }] }] };
    expect(settingsSchema.parse({ ui: { layout: saved } }).ui.layout).toEqual(saved);
  });

  it('the patch accepts only a complete, valid layout', () => {
    expect(settingsPatchSchema.safeParse({ ui: { layout: presetLayout('laptop') } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ ui: { firstRunDone: true } }).success).toBe(true);
    const unknown = settingsPatchSchema.safeParse({
      ui: {
        layout: { version: 1, columns: [{ widthFr: 1, panels: [{ id: 'future', heightPx: null, hidden: false }] }] },
      },
    });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.message).toBe('unknown panel “future”');
    const twice = presetLayout('desktop');
    twice.columns[0]!.panels.push({ id: 'run', heightPx: null, hidden: false });
    expect(settingsPatchSchema.safeParse({ ui: { layout: twice } }).error?.issues[0]?.message).toBe(
      'a panel appears twice in the layout',
    );
    const tooSmall = resizePanel(presetLayout('desktop'), 'run', 200);
    tooSmall.columns[0]!.panels[0]!.heightPx = 3;
    expect(settingsPatchSchema.safeParse({ ui: { layout: tooSmall } }).success).toBe(false);
  });
});
