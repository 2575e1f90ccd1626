// npm scripts run on the Node 22 that the `node` devDependency installs (node_modules/.bin comes
// first on PATH). If it is missing, say so plainly instead of failing later in an odd way.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `kubeposture needs Node 22 or newer, but this is Node ${process.versions.node}.\n` +
      'Run `npm ci` (the `node` devDependency provides Node 22; its install script must be allowed, see allowScripts in package.json).',
  );
  process.exit(1);
}
