export {
  assessmentInput,
  loadEventContexts,
  processStoredEvents,
  type EventContext,
  type PipelineDeps,
  type ProcessResult,
} from './process-events.ts';
