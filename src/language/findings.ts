// One problem found in a template, as offsets in its text, with the quick fix when one is obvious.

export type QuickFix =
  { kind: 'replace'; title: string; newText: string } | { kind: 'appendToFile'; title: string; file: string; text: string };

export interface Finding {
  start: number;
  end: number;
  severity: 'error' | 'warning' | 'information';
  message: string;
  fix?: QuickFix;
}
