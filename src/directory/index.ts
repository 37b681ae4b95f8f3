export {
  constituencies,
  contactRoles,
  nis2Classes,
  nis2Sectors,
  tlpLevels,
  netobjectStatuses,
  formatProblem,
  parseNetobject,
  type Constituency,
  type Nis2Class,
  type ContactRole,
  type Directory,
  type DirectoryProblem,
  type DirectorySource,
  type NetobjectKind,
  type NetobjectStatus,
  type OrganisationEntry,
  type DeskEntry,
  type NationalCertEntry,
} from './model.ts';
export {
  importDirectory,
  importDirectoryFiles,
  directoryFormats,
  directoryFormatOf,
  type DirectoryFile,
  type DirectoryFormat,
  type DirectoryImportResult,
} from './import-directory.ts';
export { exportDirectory } from './export-directory.ts';
export { effectiveNetobjects, type EffectiveNetobject, type DirectoryCounts } from './directory.repo.ts';
export {
  importRipe,
  maxProblemsKept,
  type RipeStoreImportRequest,
  type RipeStoreImportResult,
} from './import-ripe.ts';
export { classifyRipeFiles } from './classify-ripe-files.ts';
