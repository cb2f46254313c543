export { AlertCondition, AlertChannel, AlertRuleInput, AlertRuleUpdate } from './alert-rule-schema.ts';
export {
  listAlertRules,
  getAlertRule,
  createAlertRule,
  updateAlertRule,
  deleteAlertRule,
  muteAlertRule,
  alertHistory,
  AlertRuleError,
} from './alert-store.ts';
export type { AlertRule, AlertEvent, StoredRuleInput } from './alert-store.ts';
export { AlertEvaluator } from './alert-evaluator.ts';
export type { AlertEvaluatorOptions, EvaluationResult } from './alert-evaluator.ts';
export { deliverAlert } from './deliver-alert.ts';
export type { AlertMailer, AlertMessage, Delivery, DeliveryDeps } from './deliver-alert.ts';
export { ConnectionHealthCheck } from './connection-health.ts';
export type { ConnectionHealthOptions, ConnectionTester } from './connection-health.ts';
