import type { EvaluationReport, EvaluationSummary } from '../../../../shared/evaluation/evaluationTypes';
import type { TaskTemplate } from '../../../../shared/sim/world/tasks';

export const TEMPLATE_TEXT: Record<TaskTemplate, string> = {
  put_in: 'put in / on',
  pick_up: 'pick up',
  move_near: 'move near',
};

export const TEMPLATE_EXAMPLE: Record<TaskTemplate, string> = {
  put_in: 'put the grape in the plate',
  pick_up: 'pick up the orange',
  move_near: 'move the soda bottle near the bowl',
};

export function templateText(template: string): string {
  return TEMPLATE_TEXT[template as TaskTemplate] ?? template;
}

/** 0.333 → "33 %" (one decimal below 10 %, so 2.5 % is not read as 3 %). */
export function percentText(rate: number): string {
  const percent = rate * 100;
  return `${percent > 0 && percent < 10 ? percent.toFixed(1) : percent.toFixed(0)} %`;
}

/** The Wilson 95 % interval: "10–70 %". */
export function intervalText([low, high]: readonly [number, number]): string {
  return `${(low * 100).toFixed(0)}–${(high * 100).toFixed(0)} %`;
}

export function numberText(value: number | null, digits = 1): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export function secondsText(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(1)} s`;
}

/** Local date and time, "2025-12-02 12:05". */
export function dateText(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}`;
}

export function modelText(report: EvaluationReport): string {
  return `${report.model.name} v${report.model.version}`;
}

/** "3 tasks × 2 = 6 attempts, max 5 strokes" */
export function settingsText(report: EvaluationReport): string {
  const { templates, episodesPerTemplate, maxStrokes } = report.request;
  return `${templates.length} ${templates.length === 1 ? 'task' : 'tasks'} × ${episodesPerTemplate} · max ${maxStrokes} strokes`;
}

export function successText(summary: EvaluationSummary): string {
  return `${summary.successes}/${summary.episodes}`;
}

/** Colours of the compared evaluations, in column order (the bars and the table's swatches share them). */
export const SERIES_COLOURS = ['#4fb3ff', '#3fcf8e', '#f5b942', '#c792ea', '#ff8a65', '#7fdbca', '#ff5d9e', '#b0bec5'];

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length]!;
}
