/**
 * How a pipeline's definition changed between two fingerprints (step → hash):
 * one line per added, removed or changed step. Empty when nothing changed.
 */
export const diffFingerprints = (before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] => {
  const differences: string[] = [];
  for (const step of Object.keys(before)) {
    if (!(step in after)) differences.push(`removed step '${step}'`);
    else if (before[step] !== after[step]) differences.push(`changed step '${step}' (code, template, parents or params)`);
  }
  for (const step of Object.keys(after)) if (!(step in before)) differences.push(`added step '${step}'`);
  return differences;
};
