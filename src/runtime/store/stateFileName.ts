// The last line of defence between a name and a path: state files are named after functions and
// layers, and a name that is not a plain file name never becomes one (the API and the template
// loader validate names first, with their own messages).

/** `name` + `.json` as a file name directly inside a state folder, or an error naming the name. */
export function stateFileName(kind: string, name: string): string {
  if (!/^[a-zA-Z0-9._-]{1,170}$/.test(name) || /^\.+$/.test(name)) {
    throw new Error(`The ${kind} name ${JSON.stringify(name.slice(0, 200))} cannot name a state file: use letters, digits, - and _ only.`);
  }
  return `${name}.json`;
}
