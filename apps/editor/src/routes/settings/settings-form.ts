/** The settings form as the user types it: every field is text until it is checked. */
export interface SettingsDraft {
  baseUrl: string;
  model: string;
  maxAgeDays: string;
  maxRunsPerWorkflow: string;
}

export interface InstanceSettingsLike {
  planner: { baseUrl: string | null; model: string | null };
  retention: { maxAgeDays: number | null; maxRunsPerWorkflow: number | null };
}

export type SettingsField = keyof SettingsDraft;

/** The update `settings.update` takes: empty fields clear the value (null). */
export interface SettingsUpdate {
  planner: { baseUrl: string | null; model: string | null };
  retention: { maxAgeDays: number | null; maxRunsPerWorkflow: number | null };
}

export function draftFrom(settings: InstanceSettingsLike): SettingsDraft {
  return {
    baseUrl: settings.planner.baseUrl ?? '',
    model: settings.planner.model ?? '',
    maxAgeDays: settings.retention.maxAgeDays?.toString() ?? '',
    maxRunsPerWorkflow: settings.retention.maxRunsPerWorkflow?.toString() ?? '',
  };
}

function wholeNumber(text: string, max: number, what: string): { value: number | null; error?: string } {
  const t = text.trim();
  if (!t) return { value: null };
  if (!/^\d+$/.test(t))
    return { value: null, error: `Enter a whole number of ${what}, or leave it empty for no limit.` };
  const n = Number(t);
  if (n < 1)
    return { value: null, error: `Keep at least 1 ${what.replace(/s$/, '')}, or leave it empty for no limit.` };
  if (n > max) return { value: null, error: `At most ${max.toLocaleString('en')} ${what}.` };
  return { value: n };
}

/**
 * Checks the form and builds the update, or says what is wrong, field by field.
 *
 * @example
 * const r = checkSettings({ baseUrl: 'ftp://x', model: '', maxAgeDays: '30', maxRunsPerWorkflow: '' });
 * // r.errors.baseUrl === 'Enter an http(s) URL, such as https://api.openai.com/v1.'
 */
export function checkSettings(draft: SettingsDraft): {
  update?: SettingsUpdate;
  errors: Partial<Record<SettingsField, string>>;
} {
  const errors: Partial<Record<SettingsField, string>> = {};
  const baseUrl = draft.baseUrl.trim();
  if (baseUrl) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(baseUrl).protocol);
    } catch {
      ok = false;
    }
    if (!ok) errors.baseUrl = 'Enter an http(s) URL, such as https://api.openai.com/v1.';
  }
  const model = draft.model.trim();
  if (model.length > 200) errors.model = 'A model name is at most 200 characters.';
  if (model && !baseUrl) errors.baseUrl = 'Give the endpoint the model is served from.';
  const age = wholeNumber(draft.maxAgeDays, 36_500, 'days');
  if (age.error) errors.maxAgeDays = age.error;
  const runs = wholeNumber(draft.maxRunsPerWorkflow, 100_000_000, 'runs');
  if (runs.error) errors.maxRunsPerWorkflow = runs.error;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    update: {
      planner: { baseUrl: baseUrl || null, model: model || null },
      retention: { maxAgeDays: age.value, maxRunsPerWorkflow: runs.value },
    },
  };
}

/** Maps a located API issue (`input.planner.baseUrl`) to the form field it is about. */
export function fieldOfIssue(path: string): SettingsField | undefined {
  const last = path.split('.').pop();
  return last && ['baseUrl', 'model', 'maxAgeDays', 'maxRunsPerWorkflow'].includes(last)
    ? (last as SettingsField)
    : undefined;
}
