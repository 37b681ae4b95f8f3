export {
  assessmentInput,
  loadEventContexts,
  loadEventPage,
  processStoredEvents,
  type EventContext,
  type PipelineDeps,
  type ProcessResult,
} from './process-events.ts';
export { assessAndRouteAfterReport, createEnricher, createReportProcessor } from './report-pipeline.ts';
