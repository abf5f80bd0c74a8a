// The floor under the agent's RSS: node with the swc TypeScript loader (tools/register.cjs) and nothing else.
console.log('idle process ready');
setInterval(() => undefined, 1 << 30);
