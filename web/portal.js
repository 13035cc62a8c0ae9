// Cairn's portal: the password rules checked as the person types. A hint only: the server checks again.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const input = document.querySelector('input[data-checks]');
  const items = document.querySelectorAll('ul.rules li');
  if (!input || items.length === 0) return;
  const c = JSON.parse(input.getAttribute('data-checks'));
  const count = (s, re) => (s.match(re) || []).length;
  // Each rule line, in the order the server writes them (policyInWords), with the test it stands for.
  const tests = [];
  if (c.minLength > 0) tests.push((s) => [...s].length >= c.minLength && (c.maxLength === 0 || [...s].length <= c.maxLength));
  if (c.minClasses > 0) tests.push((s) => [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((re) => re.test(s)).length >= c.minClasses);
  if (c.minUpper > 0) tests.push((s) => count(s, /\p{Lu}/gu) >= c.minUpper);
  if (c.minLower > 0) tests.push((s) => count(s, /\p{Ll}/gu) >= c.minLower);
  if (c.minDigit > 0) tests.push((s) => count(s, /\p{Nd}/gu) >= c.minDigit);
  if (c.minSpecial > 0) tests.push((s) => count(s, /[^\p{L}\p{Nd}]/gu) >= c.minSpecial);
  const update = () => {
    tests.forEach((test, i) => {
      const li = items[i];
      if (!li) return;
      const met = input.value !== '' && test(input.value);
      li.classList.toggle('met', met);
      li.classList.toggle('unmet', input.value !== '' && !met);
    });
  };
  input.addEventListener('input', update);
});
