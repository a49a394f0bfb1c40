/**
 * A readable name for a key nobody declared (`timeToAllMs` -> `Time to all ms`): the contract names
 * every metric, state and series a protocol reports, so this shows only where a protocol forgot one,
 * and even then no raw camelCase reaches the screen.
 */
export function humanize(key: string): string {
  const words = key
    .replace(/^net\./, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
