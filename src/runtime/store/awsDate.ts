/** Lambda's timestamp format: `2024-05-01T12:34:56.789+0000`. */
export function awsDate(date: Date | number = Date.now()): string {
  return new Date(date).toISOString().replace('Z', '+0000');
}
