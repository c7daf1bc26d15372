import { planPorts } from '../../src/cli/engineRunner';

describe('planPorts', () => {
  it('gives one HTTP port per node from the first', () => {
    expect(planPorts(9201, 3)).toEqual([9201, 9202, 9203]);
  });

  it('refuses ports the embedded runners cannot serve, saying which range works', () => {
    expect(() => planPorts(9200, 1)).toThrow('the embedded engines serve HTTP only on ports 9201-9299; 1 node(s) from port 9200 would need 9200-9200: choose a port in that range');
    expect(() => planPorts(9298, 3)).toThrow('would need 9298-9300');
  });

  it('refuses a node count outside 1-9', () => {
    expect(() => planPorts(9201, 0)).toThrow('--nodes must be between 1 and 9, not 0');
  });
});
