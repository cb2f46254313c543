export { TEMPLATE_CATEGORIES, TEMPLATE_CATEGORY_IDS, categoryTitle } from './categories.ts';
export type { TemplateCategory } from './categories.ts';
export { TemplateMetaSchema, RequiredCredentialSchema, TEMPLATE_SLUG } from './template-schema.ts';
export type {
  Template,
  TemplateMeta,
  TemplateMetaInput,
  TemplateSource,
  RequiredCredential,
} from './template-schema.ts';
export { TemplateError, formatTemplateIssues } from './template-issues.ts';
export type { TemplateIssue } from './template-issues.ts';
export { loadTemplates, META_FILE, WORKFLOW_FILE, PREVIEW_FILE } from './load-templates.ts';
export { validateTemplate } from './validate-template.ts';
export type { TemplateValidation, TemplateFiles } from './validate-template.ts';
export { renderPreviewSvg } from './preview-svg.ts';
export { layoutGraph, BOX } from './layout.ts';
export { instantiateTemplate } from './instantiate-template.ts';
export type { InstantiateOptions, InstantiatedTemplate } from './instantiate-template.ts';
export { toTemplateFile, parseTemplateFile, withoutConnectionIds } from './template-file.ts';
export type { TemplateFile } from './template-file.ts';
export { appsOf, requiredCredentialsOf } from './describe-graph.ts';
export {
  saveWorkflowAsTemplate,
  storeWorkspaceTemplate,
  listWorkspaceTemplates,
  getWorkspaceTemplate,
  deleteWorkspaceTemplate,
  isWorkspaceTemplateId,
} from './workspace-templates.ts';
export type { SaveWorkflowAsTemplateInput } from './workspace-templates.ts';
export { summarizeTemplate, describeTemplate, filterTemplates, pickFeatured, builtInTemplates } from './gallery.ts';
export type { TemplateSummary, TemplateDetail, TemplateFilter, BuiltInTemplates } from './gallery.ts';
