import type {StageKind} from '../plan/stage-id.js';
import {datasetStage} from './dataset.js';
import {evalStage} from './evaluate.js';
import {generateStage} from './generate.js';
import {judgeStage} from './judge.js';
import {sourceStage} from './source.js';
import type {StageDefinition} from './stage-definition.js';
import {trainStage} from './train.js';

/** What runs each kind of stage. */
export const STAGES: Readonly<Record<StageKind, StageDefinition>> = {
  source: sourceStage,
  dataset: datasetStage,
  train: trainStage,
  generate: generateStage,
  judge: judgeStage,
  eval: evalStage,
};
