/** The gallery's fixed categories, in the order the gallery lists them. */
export const TEMPLATE_CATEGORIES = [
  { id: 'engineering', title: 'Engineering' },
  { id: 'sales', title: 'Sales & CRM' },
  { id: 'marketing', title: 'Marketing' },
  { id: 'support', title: 'Support' },
  { id: 'finance', title: 'Payments & finance' },
  { id: 'operations', title: 'Operations & alerts' },
  { id: 'ai', title: 'AI' },
  { id: 'api', title: 'APIs & webhooks' },
] as const;

export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number]['id'];

export const TEMPLATE_CATEGORY_IDS = TEMPLATE_CATEGORIES.map((c) => c.id) as [TemplateCategory, ...TemplateCategory[]];

/** "Sales & CRM" for `sales`; the id itself for an unknown one. */
export function categoryTitle(id: string): string {
  return TEMPLATE_CATEGORIES.find((c) => c.id === id)?.title ?? id;
}
