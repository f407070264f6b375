import type { Component } from 'vue';
import type { PanelId } from '../../../shared/ui/consoleLayout';
import CameraGridPanel from '../panels/CameraGridPanel.vue';
import Arm3dPanel from '../panels/Arm3dPanel.vue';
import JointPlotsPanel from '../panels/JointPlotsPanel.vue';
import ArmPanel from '../panels/ArmPanel.vue';
import RunPanel from '../panels/RunPanel.vue';
import PolicyPanel from '../panels/PolicyPanel.vue';
import WorldPanel from '../panels/WorldPanel.vue';
import EpisodeDashboard from '../components/episodes/EpisodeDashboard.vue';
import TrainingPanel from '../components/training/TrainingPanel.vue';
import EvaluationPanel from '../components/evaluation/EvaluationPanel.vue';
import LogPanel from '../panels/LogPanel.vue';
import HealthPanel from '../panels/HealthPanel.vue';
import SystemPanel from '../panels/SystemPanel.vue';
import SettingsPanel from '../panels/SettingsPanel.vue';

/**
 * What each layout panel shows. `framed: false` marks components that draw their own PanelFrame (with the panel's
 * id, so the frame still gets the layout controls): the world panel and the episode dashboard.
 */
export const PANEL_COMPONENTS: Record<PanelId, { component: Component; framed: boolean }> = {
  cameras: { component: CameraGridPanel, framed: true },
  arm3d: { component: Arm3dPanel, framed: true },
  plots: { component: JointPlotsPanel, framed: true },
  arm: { component: ArmPanel, framed: true },
  run: { component: RunPanel, framed: true },
  policy: { component: PolicyPanel, framed: true },
  world: { component: WorldPanel, framed: false },
  episodes: { component: EpisodeDashboard, framed: false },
  training: { component: TrainingPanel, framed: true },
  evaluation: { component: EvaluationPanel, framed: true },
  log: { component: LogPanel, framed: true },
  health: { component: HealthPanel, framed: true },
  system: { component: SystemPanel, framed: true },
  settings: { component: SettingsPanel, framed: true },
};
