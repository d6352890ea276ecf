#!/usr/bin/env node
/**
 * Writes data/tickets.jsonl, the quickstart's data: customer support tickets and the queue each
 * belongs to (billing, shipping, technical, account, sales). Deterministic: the same script
 * writes the same bytes on every machine (its own seeded generator, no Math.random, no dates), so
 * the committed file can be checked against it (`node scripts/make-tickets.mjs --check`).
 *
 * The tickets vary in wording (intents, product and order details, greetings, sign-offs, casing,
 * typos), and some are hard on purpose: a ticket that names another queue's topic only to say it
 * is not about it, or that mentions several topics but asks for one thing.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const OUT = fileURLToPath(new URL('../data/tickets.jsonl', import.meta.url));
const COUNT = 900;

/** splitmix32-style generator: integers only, the same sequence everywhere. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const below = (n) => next() % n;
  return {below, pick: (list) => list[below(list.length)], chance: (p100) => below(100) < p100};
}

const PRODUCTS = [
  'router',
  'headset',
  'smart plug',
  'webcam',
  'keyboard',
  'monitor',
  'speaker',
  'tablet',
];
const PLANS = ['Basic', 'Plus', 'Pro', 'Team', 'Family'];

/** Each queue's intents: templates with {product}, {plan}, {order}, {usd}, {n}. */
const QUEUES = {
  billing: [
    'I was charged twice for my {plan} plan this month.',
    'Why is there a charge of {usd} on my card?',
    'Please send me an invoice for order {order}.',
    'My payment keeps getting declined when I try to pay.',
    'I want a refund for the {usd} you took after I cancelled.',
    'The price on my bill is higher than the {plan} plan should cost.',
    'Can I change the card you bill every month?',
    'I need a receipt with my company VAT number on it.',
    'You billed me for {n} seats but we only have {n2}.',
  ],
  shipping: [
    'My order {order} has not arrived yet.',
    'The tracking number for {order} does not work.',
    'The {product} arrived broken, the box was crushed.',
    'Can you ship my {product} to a different address?',
    'It has been {n} days and my package is still in transit.',
    'The courier left my parcel at the wrong house.',
    'I received a {product} but I ordered something else.',
    'How long does delivery take to Canada?',
    'Order {order} says delivered but nothing came.',
  ],
  technical: [
    'My {product} will not turn on after the update.',
    'The app crashes every time I open settings.',
    'The {product} keeps disconnecting from wifi.',
    'I get error code E{n} when I try to pair the {product}.',
    'The firmware update failed halfway and now the light blinks red.',
    'Sound from the {product} cuts out every few minutes.',
    'The {product} is not detected when I plug it in.',
    'Sync between the app and the {product} stopped working.',
    'The screen flickers since I installed version 4.{n}.',
  ],
  account: [
    'I forgot my password and the reset email never comes.',
    'How do I change the email address on my account?',
    'Please delete my account and all my data.',
    'Someone else logged into my account, I did not do that.',
    'I cannot log in, it says my account is locked.',
    'How can I add my partner to the {plan} plan as a user?',
    'Two factor codes are not arriving on my new phone.',
    'I want to change the name shown on my profile.',
    'Can you merge my two accounts into one?',
  ],
  sales: [
    'Do you offer a discount for {n} {product}s?',
    'What is the difference between the {plan} and {plan2} plans?',
    'Is the {product} compatible with my older model?',
    'I want to buy {n} licences for my team, who do I talk to?',
    'Will the {product} be back in stock soon?',
    'Do you have a student price for the {plan} plan?',
    'Can I get a quote for {n} units for our office?',
    'Is there a bundle with the {product} and a {product2}?',
    'Which plan would you recommend for a small school?',
  ],
};

/** Hard cases: a topic named only to be set aside, or several topics and one request. */
const HARD = {
  billing: [
    'My {product} arrived fine and works, but you charged me {usd} twice for it.',
    'Not a delivery question: the invoice for order {order} shows the wrong amount.',
    'I can log in fine, I just need a refund for the {plan} upgrade I did not want.',
  ],
  shipping: [
    'The payment went through fine, but order {order} never shipped.',
    'Not a billing issue, my package is just lost somewhere since {n} days.',
    'The {product} works great, but the second one in order {order} never arrived.',
  ],
  technical: [
    'Delivery was quick, but the {product} will not connect to anything.',
    'I was billed correctly, the problem is the app freezes on startup.',
    'Not asking about my order: the {product} shows error E{n} and restarts.',
  ],
  account: [
    'My order arrived and the {product} works, but I am locked out of my account.',
    'Not about the bill: I need to reset my password, the link expired.',
    'The {product} is great, I just want to change my login email.',
  ],
  sales: [
    'No problem with my current order, I want a price for {n} more {product}s.',
    'Not a support question: is there a business plan above {plan}?',
    'My account is fine, I am asking whether you sell the {product} in bulk.',
  ],
};

const GREETINGS = ['', '', 'Hi, ', 'Hello, ', 'Hey team, ', 'Good morning, ', 'Hi there. '];
const SIGNOFFS = [
  '',
  '',
  '',
  ' Thanks.',
  ' Thank you!',
  ' Please help.',
  ' Regards, Sam',
  ' Cheers',
];

function fill(template, g) {
  const plan = g.pick(PLANS);
  const product = g.pick(PRODUCTS);
  return template
    .replaceAll('{plan2}', g.pick(PLANS.filter((p) => p !== plan)))
    .replaceAll('{plan}', plan)
    .replaceAll('{product2}', g.pick(PRODUCTS.filter((p) => p !== product)))
    .replaceAll('{product}', product)
    .replaceAll('{order}', `#${10000 + g.below(90000)}`)
    .replaceAll('{usd}', `$${5 + g.below(200)}.${String(g.below(100)).padStart(2, '0')}`)
    .replaceAll('{n2}', String(1 + g.below(5)))
    .replaceAll('{n}', String(2 + g.below(30)));
}

/** One typo: two neighbouring letters swapped, the way people type. */
function typo(text, g) {
  const at = 1 + g.below(Math.max(1, text.length - 3));
  if (!/[a-z]{2}/.test(text.slice(at, at + 2))) return text;
  return text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
}

function ticket(g) {
  const queues = Object.keys(QUEUES);
  // Not balanced: real queues are not (billing and technical get the most).
  const weights = {billing: 30, shipping: 20, technical: 28, account: 14, sales: 8};
  let roll = g.below(100);
  let queue = queues[0];
  for (const q of queues) {
    if (roll < weights[q]) {
      queue = q;
      break;
    }
    roll -= weights[q];
  }
  const hard = g.chance(18);
  let text = fill(g.pick(hard ? HARD[queue] : QUEUES[queue]), g);
  const greeting = g.pick(GREETINGS);
  if (greeting) text = greeting + text[0].toLowerCase() + text.slice(1);
  text += g.pick(SIGNOFFS);
  if (g.chance(15)) text = typo(text, g);
  if (g.chance(8)) text = text.toLowerCase();
  return {ticket: text, queue, ...(hard ? {hard: true} : {})};
}

function tickets() {
  const g = generator(20261206);
  const out = [];
  for (let i = 1; i <= COUNT; i++) {
    out.push(JSON.stringify({id: `T${String(i).padStart(4, '0')}`, ...ticket(g)}));
  }
  return `${out.join('\n')}\n`;
}

const text = tickets();
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error(`${OUT} differs from what scripts/make-tickets.mjs writes; run it again`);
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${COUNT} tickets to ${OUT}`);
}
