/**
 * Canvas colours and fonts for the plots. uPlot draws on a canvas, which cannot read CSS variables cheaply
 * on every frame, so these mirror styles/theme.css (--text-dim, --border, --accent, --warn).
 */
export const PLOT_THEME = {
  text: '#93a1af',
  grid: '#2a343e',
  tickFont: '13px "DejaVu Sans", system-ui, sans-serif',
  labelFont: '600 13px "DejaVu Sans", system-ui, sans-serif',
  gripperMeasured: '#4fb3ff',
  gripperCommanded: '#f5b942',
} as const;

/** One colour per arm joint J1..J6, distinct on the dark panel background. */
export const JOINT_COLORS = ['#4fb3ff', '#3fcf8e', '#f5b942', '#ff7a90', '#b48cff', '#5ee0d8'] as const;

/**
 * A commanded line's colour: the joint's colour mixed toward white, so where command and measurement coincide the
 * dashes still show on top of the solid line.
 */
export function commandedColor(hex: string, towardWhite = 0.5): string {
  const channel = (at: number) => {
    const value = Number.parseInt(hex.slice(at, at + 2), 16);
    return Math.round(value + (255 - value) * towardWhite);
  };
  return `rgb(${channel(1)}, ${channel(3)}, ${channel(5)})`;
}
