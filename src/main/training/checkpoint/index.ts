export {
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type TrainingCheckpoint,
} from './checkpointFile';
