import { shallowRef, type InjectionKey } from 'vue';
import type { PanelId } from '../../../shared/ui/consoleLayout';

/** What a layout tile tells the PanelFrame inside it: which panel the tile holds (the frame with that id gets the controls). */
export interface LayoutTileContext {
  panelId: PanelId;
  column: number;
}

export const layoutTileKey: InjectionKey<LayoutTileContext> = Symbol('layoutTile');

/** The panel whose title is being dragged (drop targets highlight while it is set). */
export const draggedPanel = shallowRef<PanelId | null>(null);

/** The drag's data type: only Coach panels drop on the layout. */
export const PANEL_DRAG_TYPE = 'application/x-coach-panel';

/** Where views that need the full width open (the replay, the export dialog): a row above the columns. */
export const WIDE_SLOT_SELECTOR = '#console-wide-slot';
