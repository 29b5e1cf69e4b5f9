#!/usr/bin/env node
// The entry loads commander and nothing else: `gar --help` and `gar --version` stay fast, and
// each command's code is imported by its action.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { hintFor } from './error-hints.js';
import { EXIT, exitStatusOf } from './exit-codes.js';
import { GLOBAL_FLAGS } from './flags.js';

type Handler = (command: Command) => Promise<void>;

/** An action that imports its module only when the command runs. */
const lazy =
  (load: () => Promise<Record<string, unknown>>, name: string) =>
  async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const module = await load();
    await (module[name] as Handler)(command);
  };

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('gar')
    .description('Push, pull and manage container images in Google Artifact Registry.')
    .version(packageJson.version, '--version')
    .showSuggestionAfterError()
    // Every subcommand's --help lists the global flags (--project, --format, …) it takes too.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  for (const flag of GLOBAL_FLAGS) program.addOption(new Option(flag.flags, flag.description));

  const auth = program.command('auth').description('credentials for Artifact Registry and Docker');
  auth
    .command('configure-docker')
    .description('hand registry hosts to docker-credential-gar in Docker’s config.json (other keys are kept)')
    .argument('[hosts...]', 'registry hosts, e.g. us-west1-docker.pkg.dev (comma- or space-separated)')
    .option('--all-locations', 'every Artifact Registry location (a long list slows Docker down)')
    .option('--dry-run', 'print the change as a diff; write nothing')
    .action(lazy(() => import('./commands/auth.js'), 'configureDocker'));
  auth
    .command('print-access-token')
    .description('print an access token with at least the refresh margin of life left')
    .option('--impersonate-service-account <email>', 'a token for this service account (IAM Credentials)')
    .addHelpText('after', '\n  --format crictl prints `oauth2accesstoken:TOKEN` for `crictl pull --creds`.')
    .action(lazy(() => import('./commands/auth.js'), 'printAccessToken'));
  auth
    .command('status')
    .description('which token source answers, for which account, and until when')
    .action(lazy(() => import('./commands/auth.js'), 'status'));

  const images = program.command('images').description('images in a repository');
  images
    .command('list')
    .description('image versions with digests and times, like `gcloud artifacts docker images list`')
    .argument(
      '[repository-or-image]',
      'LOCATION-docker.pkg.dev/PROJECT/REPOSITORY[/IMAGE], or a repository ID',
    )
    .option('--include-tags', 'add the TAGS column')
    .option('--limit <n>', 'at most this many versions')
    .action(lazy(() => import('./commands/images.js'), 'list'));

  images
    .command('describe')
    .description('digest, media type, platforms, size, tags, times')
    .argument(
      '<image>',
      'LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE[:TAG|@DIGEST], or IMAGE[:TAG] with defaults',
    )
    .action(lazy(() => import('./commands/images.js'), 'describe'));
  images
    .command('resolve')
    .description('for a virtual repository: which upstream serves the image, and why')
    .argument('<image>', 'an image in a virtual repository')
    .action(lazy(() => import('./commands/images.js'), 'resolve'));
  images
    .command('delete')
    .description('delete a tag, or an image version (with --delete-tags while tags point to it)')
    .argument('<image>', 'IMAGE:TAG deletes the tag; IMAGE@DIGEST the version')
    .option('--delete-tags', 'delete the tags that point to the version too')
    .action(lazy(() => import('./commands/images.js'), 'remove'));
  images
    .command('prune')
    .description(
      'delete old versions by cleanup policy (a dry run unless --apply): plan, then delete tags then versions',
    )
    .argument('[repository-or-image]', 'a repository (default the configured one), or one image in it')
    .option(
      '--policy <file>',
      'cleanup policies, the JSON file `gcloud artifacts repositories set-cleanup-policies` reads',
    )
    .option('--keep-last <n>', 'keep the N most recent versions of each image')
    .option('--older-than <duration>', 'delete only versions older than this (30d, 12h)')
    .option('--untagged', 'delete only untagged versions')
    .option('--tag-prefix <prefix...>', 'delete only versions with a tag starting with one of these')
    .option('--keep-tag-prefix <prefix...>', 'keep versions with a tag starting with one of these')
    .option('--grace <duration>', 'keep versions younger than this, whatever else matches (1h)')
    .option(
      '--exclude-in-use <file>',
      'image references that are deployed (whitespace separated): their versions stay',
    )
    .option('--delete-tagged', 'also delete versions tags still point to (with their tags)')
    .option('--apply', 'delete; without it, only print the plan')
    .option('--concurrency <n>', 'deletions in flight at once', '8')
    .action(lazy(() => import('./commands/images.js'), 'prune'));

  program
    .command('push')
    .description('push an image: blobs first, the tag last, so it never names a half-pushed image')
    .argument(
      '<source>',
      'an image in the local Docker engine (IMAGE[:TAG], as `docker images` lists it), oci:DIR[:TAG] or docker-archive:FILE',
    )
    .argument(
      '<target>',
      'LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE[:TAG] (latest when no tag), or IMAGE[:TAG] with defaults',
    )
    .option(
      '--via <path>',
      'from the engine: engine (docker push, the default) or direct (docker save, then gar uploads)',
    )
    .option(
      '--compress',
      'gzip layers stored uncompressed (docker save tars, --via direct), as docker push does: smaller, but new layer and manifest digests',
    )
    .action(lazy(() => import('./commands/transfer.js'), 'push'));
  program
    .command('pull')
    .description('pull an image; every digest is verified before anything is written')
    .argument('<image>', 'an image by tag or digest')
    .option('--to <destination>', 'docker (the local engine), oci:DIR or docker-archive:FILE', 'docker')
    .option('--platform <os/arch>', 'one platform out of a multi-platform image')
    .option('--via <path>', 'into the engine: engine (docker pull) or registry (gar pulls, then docker load)')
    .action(lazy(() => import('./commands/transfer.js'), 'pull'));
  program
    .command('tag')
    .description(
      'add a tag in the local Docker engine; with --remote, in the registry without pulling (the manifest is copied; blobs are already there)',
    )
    .argument('<source>', 'an image by tag or digest')
    .argument('<target>', 'the new name and tag')
    .option('--remote', 'tag in the registry, without pulling (default: tag in the local Docker engine)')
    .action(lazy(() => import('./commands/transfer.js'), 'tag'));
  program
    .command('copy')
    .description('copy between repositories, registries, folders and tars (blobs mounted within a registry)')
    .argument('<source>', 'an image, oci:DIR[:TAG] or docker-archive:FILE')
    .argument('<destination>', 'an image, oci:DIR[:TAG] or docker-archive:FILE')
    .option('--all-tags', 'every tag of the source repository')
    .option('--platform <os/arch...>', 'only these platforms of a multi-platform image (a new index)')
    .option('--compress', 'gzip layers stored uncompressed on the way (new layer and manifest digests)')
    .option(
      '-r, --recursive',
      'SOURCE and DESTINATION are repository prefixes (HOST[/PATH]): copy every image under SOURCE to the same path under DESTINATION; images already there are skipped',
    )
    .option(
      '--include-untagged',
      'with --recursive: untagged versions too, where the source lists them (Artifact Registry, gcr.io)',
    )
    .option('--dry-run', 'with --recursive: print what would be copied or skipped, and why; write nothing')
    .option('--jobs <n>', 'with --recursive: images copied at once (config transfer.jobs)', positiveInteger)
    .option(
      '--max-concurrent-blobs <n>',
      'with --recursive: blobs in flight over the whole run (config transfer.concurrency)',
      positiveInteger,
    )
    .action(lazy(() => import('./commands/transfer.js'), 'copy'));

  const repositories = program
    .command('repositories')
    .alias('repos')
    .description('Artifact Registry repositories');
  repositories
    .command('list')
    .description('repositories of a project and location')
    .option('--limit <n>', 'at most this many repositories')
    .action(lazy(() => import('./commands/repositories.js'), 'list'));
  repositories
    .command('describe')
    .description('mode, immutable tags, upstream policies by priority')
    .argument('[repository]', 'a repository ID or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY')
    .action(lazy(() => import('./commands/repositories.js'), 'describe'));
  repositories
    .command('create')
    .description('create a Docker repository')
    .argument('<repository>', 'a repository ID or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY')
    .option('--mode <mode>', 'standard, remote or virtual', 'standard')
    .option('--immutable-tags', 'a tag, once pushed, always points to the same digest')
    .option('--description <text>', 'what the repository holds')
    .option('--remote-url <url>', 'remote mode: the upstream registry')
    .option('--upstream <ID=REPOSITORY:PRIORITY...>', 'virtual mode: an upstream repository and its priority')
    .action(lazy(() => import('./commands/repositories.js'), 'create'));
  repositories
    .command('set-cleanup-policies')
    .description(
      'set cleanup policies and/or their dry run, as `gcloud artifacts repositories set-cleanup-policies`',
    )
    .argument('[repository]', 'a repository ID or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY')
    .option('--policy <file>', 'the JSON policy file gcloud reads (replaces the current policies)')
    .option('--dry-run', 'evaluate the policies without deleting')
    .option('--no-dry-run', 'delete what the policies select')
    .action(lazy(() => import('./commands/repositories.js'), 'setCleanupPolicies'));

  program
    .command('emulator')
    .description('a local Artifact Registry for tests and demos')
    .command('start')
    .description('run the emulator in the foreground until Ctrl-C (gar emulator start --help: its options)')
    // The options are the emulator's own (the gar-emulator bin takes the same): @ar/emulator
    // parses them and prints their help.
    .argument('[options...]')
    .helpOption(false)
    .allowUnknownOption()
    .action(lazy(() => import('./commands/emulator.js'), 'start'));

  program
    .command('doctor')
    .description('check config, Docker credHelpers, the token source, and that the API and registry answer')
    .action(lazy(() => import('./commands/doctor.js'), 'doctor'));

  program
    .command('completion')
    .description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .action(lazy(() => import('./commands/completion.js'), 'completion'));

  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; anything else commander throws is a usage error
      // (unknown option or command, missing argument), already printed on stderr.
      process.exitCode = error.exitCode === 0 || error.code.startsWith('commander.help') ? 0 : EXIT.usage;
      return;
    }
    const status = exitStatusOf(error);
    const hint = hintFor(error);
    process.stderr.write(
      `error: ${(error as Error).message}\n${hint === undefined ? '' : `hint: ${hint}\n`}`,
    );
    if (status === undefined) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = status ?? EXIT.failure;
  }
}

void main();
