import fs from 'node:fs';
import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import type { SettingsPatch } from '../../shared/settings';

interface SettingsIssue {
  path: string;
  message: string;
}

function isDirectory(target: string): boolean {
  try {
    return fs.statSync(target).isDirectory();
  } catch {
    return false;
  }
}

function packageProblem(folder: string, what: string): string | null {
  if (!isDirectory(folder)) return `${what}: no folder at ${folder}`;
  if (!fs.existsSync(path.join(folder, 'manifest.json'))) return `${what}: ${folder} holds no manifest.json`;
  return null;
}

/**
 * What the schema cannot know: the folders a patch names must be there (a model package must hold its
 * manifest.json; the recording folder must not be a file). Relative recording folders are inside the data folder.
 */
export function settingsPatchProblems(patch: SettingsPatch, dataDir: string): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const modelPath = patch.policy?.modelPath;
  if (modelPath) {
    const problem = packageProblem(path.resolve(modelPath), 'not a model package');
    if (problem) issues.push({ path: 'policy.modelPath', message: problem });
  }
  const worldModelPath = patch.refine?.worldModelPath;
  if (worldModelPath) {
    const problem = packageProblem(path.resolve(worldModelPath), 'not a world-model package');
    if (problem) issues.push({ path: 'refine.worldModelPath', message: problem });
  }
  const recordingDir = patch.recording?.dir;
  if (recordingDir) {
    const resolved = path.resolve(dataDir, recordingDir);
    if (fs.existsSync(resolved) && !isDirectory(resolved)) {
      issues.push({ path: 'recording.dir', message: `${resolved} is a file, not a folder` });
    }
  }
  return issues;
}

/** Throws the problems as an invalid_arguments error the console shows next to each field. */
export function checkSettingsPatch(patch: SettingsPatch, dataDir: string): void {
  const issues = settingsPatchProblems(patch, dataDir);
  if (!issues.length) return;
  throw new CoachError(
    'invalid_arguments',
    `invalid arguments for settings.update: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues },
  );
}
