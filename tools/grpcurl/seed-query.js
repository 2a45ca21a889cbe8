// Reads default values for the grpcurl scripts from the demo seed file, so the scripts and the demo
// providers share one source of demo data. Usage: node seed-query.js <seed.json> <query> [iin]
//   demo-iin          the first demo citizen's IIN
//   kato <iin>        the citizen's district (KATO code)
//   account <iin>     "<provider id> <account number> <meter id>" of the citizen's first metered account
//   parcel <iin>      cadastral number of the first parcel the citizen holds a right on
//   benefit <iin>     "<provider id> <benefit id>" of the citizen's first benefit
//   citizen-with <account|parcel|benefit>   the IIN of the first demo citizen who has one
'use strict';
const fs = require('fs');

const [seedPath, query, arg] = process.argv.slice(2);
const seed = JSON.parse(fs.readFileSync(seedPath, 'utf8'));
const iin = (query !== 'citizen-with' && arg) || seed.citizens[0].iin;

function fail(message) {
  process.stderr.write(`seed-query: ${message}\n`);
  process.exit(1);
}

const answers = {
  'demo-iin': () => seed.citizens[0].iin,
  kato: () => (seed.citizens.find((c) => c.iin === iin) || fail(`no demo citizen ${iin}`)).katoCode,
  account: () => {
    const account = seed.utilityAccounts.find((a) => a.iin === iin && a.meters && a.meters.length > 0)
      || fail(`demo citizen ${iin} has no metered account`);
    return `${account.providerId} ${account.accountNumber} ${account.meters[0].meterId}`;
  },
  parcel: () => (seed.parcels.find((p) => p.rightsHolders.some((h) => h.iin === iin))
    || fail(`demo citizen ${iin} holds no parcel`)).cadastralNumber,
  benefit: () => {
    const benefit = seed.benefits.find((b) => b.iin === iin) || fail(`demo citizen ${iin} has no benefit`);
    return `${benefit.providerId} ${benefit.benefitId}`;
  },
  'citizen-with': () => {
    const holders = {
      account: (c) => seed.utilityAccounts.some((a) => a.iin === c.iin && a.meters && a.meters.length > 0),
      parcel: (c) => seed.parcels.some((p) => p.rightsHolders.some((h) => h.iin === c.iin)),
      benefit: (c) => seed.benefits.some((b) => b.iin === c.iin),
    };
    const has = holders[arg] || fail(`citizen-with takes one of: ${Object.keys(holders).join(', ')}`);
    return (seed.citizens.find(has) || fail(`no demo citizen has a ${arg}`)).iin;
  },
};

const answer = answers[query] || fail(`unknown query '${query}'; one of: ${Object.keys(answers).join(', ')}`);
process.stdout.write(`${answer()}\n`);
