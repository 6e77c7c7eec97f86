export * from './attack.js';
export * from './catalogue.js';
export {
  type AttackOutcome,
  clauseOf,
  RefusedPage,
  type RunAttackOptions,
  runAttack,
  type SentMessage,
} from './runner.js';
