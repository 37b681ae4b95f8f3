export {
  channels,
  constituencies,
  nis2Classes,
  parseRoutingProfile,
  recipientKinds,
  resolutionLayers,
  type Channel,
  type Constituency,
  type Nis2Class,
  type RoutingProfile,
  type RoutingRule,
} from './rules.ts';
export {
  directiveKey,
  routeEvent,
  type Directive,
  type OrganisationFacts,
  type Resolution,
  type RoutingResult,
  type RoutingSubject,
  type RuleTrace,
} from './route.ts';
export {
  OwnerIndex,
  type LayerTrace,
  type NetobjectRecord,
  type OwnerDirectory,
  type OwnerResult,
} from './owner.ts';
export { listDirectives, storeRouting, type DirectiveListing, type RoutedEvent } from './directives.repo.ts';
export { loadOwnerDirectory, loadRoutingProfile } from './route-events.ts';
