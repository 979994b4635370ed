// Numbers and durations as the rules' expressions and descriptions write
// them.
local units = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
local names = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
local digits = '0123456789';

// [n, 'hour'] for 7200: the largest unit that divides the seconds.
local inUnits(seconds) =
  local unit = [u for u in names if seconds % u[0] == 0][0];
  [seconds / unit[0], unit[1]];

local plural(n, unit) = if n == 1 then unit else '%d %ss' % [n, unit];

{
  // isDuration(d): whether d is a duration these functions read: a whole
  // number and one unit, s, m, h, d or w (15m, 2h).
  isDuration(d)::
    std.isString(d) && std.length(d) >= 2
    && std.objectHas(units, d[std.length(d) - 1])
    && std.all([std.member(digits, ch) for ch in std.stringChars(std.substr(d, 0, std.length(d) - 1))])
    && std.parseInt(std.substr(d, 0, std.length(d) - 1)) > 0,

  // seconds('15m') is 900.
  seconds(duration)::
    assert self.isDuration(duration) :
           'duration %s: want a whole number and one unit of s, m, h, d, w (e.g. 15m, 2h)' % [duration];
    std.parseInt(std.substr(duration, 0, std.length(duration) - 1)) * units[duration[std.length(duration) - 1]],

  // text('15m') is '15 minutes', text('1h') 'an hour', text('24h') 'a day'.
  text(duration)::
    local u = inUnits(self.seconds(duration));
    if u[0] == 1 then (if u[1] == 'hour' then 'an hour' else 'a ' + u[1]) else plural(u[0], u[1]),

  // last('1h') is 'the last hour', last('2h') 'the last 2 hours'.
  last(duration)::
    local u = inUnits(self.seconds(duration));
    'the last ' + plural(u[0], u[1]),

  // words(3) is 'three': one to ten in words, larger numbers in digits.
  words(n)::
    local w = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    if n == std.floor(n) && n >= 0 && n <= 10 then w[n] else self.number(n),

  // number(0.05) is '0.05': the shortest decimal that reads back as the
  // number (jsonnet's own gives 17 digits: 0.050000000000000003).
  number(x)::
    assert std.isNumber(x) : 'want a number, got %s' % [std.toString(x)];
    if x == std.floor(x) && std.abs(x) < 1e15 then '%d' % x
    else
      local fits = [p for p in std.range(1, 17) if std.parseJson(('%.' + p + 'g') % x) == x];
      ('%.' + fits[0] + 'g') % x,

  // promql(config) is config with every number written by number(), for
  // the expressions' % formatting.
  promql(config):: {
    [k]: if std.isNumber(config[k]) then $.number(config[k]) else config[k]
    for k in std.objectFields(config)
  },
}
