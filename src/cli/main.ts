const args = process.argv.slice(2);
process.stderr.write(`palisade: not implemented yet (${args.join(" ")})\n`);
process.exitCode = 1;
