import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

/** Command paths and their options, read from the program itself so completion never drifts. */
function tree(program: Command): Array<{ path: string[]; options: string[] }> {
  const out: Array<{ path: string[]; options: string[] }> = [];
  const walk = (command: Command, path: string[]) => {
    out.push({ path, options: command.options.map((option) => option.long ?? '').filter(Boolean) });
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

export async function completion(command: Command): Promise<void> {
  const shell = command.args[0];
  const program = command.parent!;
  const entries = tree(program);
  const globals = entries[0]!.options;
  const words = (path: string[]) => {
    const here = entries.find((entry) => entry.path.join(' ') === path.join(' '));
    const subs = entries.filter(
      (entry) =>
        entry.path.length === path.length + 1 && entry.path.slice(0, -1).join(' ') === path.join(' '),
    );
    return [...subs.map((entry) => entry.path[entry.path.length - 1]!), ...(here?.options ?? []), ...globals];
  };
  const paths = entries.map((entry) => entry.path);
  if (shell === 'bash' || shell === 'zsh') {
    const cases = paths
      .map((path) => `    "${path.join(' ')}") words="${[...new Set(words(path))].join(' ')}" ;;`)
      .join('\n');
    const script = `# gar completion for ${shell}: eval "$(gar completion ${shell})"
${shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : ''}_gar() {
  local cur path word
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) path="\${path:+$path }$word" ;; esac
  done
  local words
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _gar gar
`;
    process.stdout.write(script);
    return;
  }
  if (shell === 'fish') {
    const lines = paths
      .filter((path) => path.length > 0)
      .map((path) => {
        const parent = path.slice(0, -1);
        const condition =
          parent.length === 0
            ? '__fish_use_subcommand'
            : `__fish_seen_subcommand_from ${parent[parent.length - 1]}`;
        return `complete -c gar -f -n '${condition}' -a '${path[path.length - 1]}'`;
      });
    for (const option of globals) lines.push(`complete -c gar -l '${option.replace(/^--/, '')}'`);
    process.stdout.write(`# gar completion for fish: gar completion fish | source\n${lines.join('\n')}\n`);
    return;
  }
  command.error(`error: completion is for bash, zsh or fish, not "${shell}"`, { exitCode: EXIT.usage });
}
