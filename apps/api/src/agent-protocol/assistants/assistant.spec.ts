import { assistantIdOf } from './assistant';

describe(assistantIdOf.name, () => {
  it.each([
    ['agent', 'fe096781-5601-53d2-b2f6-0d3403f7e9ca'],
    ['ticker', '08c82a6b-7e12-5e47-ba9d-1afe0c25818d'],
  ])('should give %s the id LangGraph gives a graph of that name', (name, id) => {
    expect(assistantIdOf(name)).toBe(id);
  });
});
