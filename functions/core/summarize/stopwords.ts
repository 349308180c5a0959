/**
 * Word lists (ours): English function words, which carry no topic and are kept out of the
 * sentence-similarity vectors, and newswire filler, which is kept out of keywords as well.
 */

function wordSet(words: string): Set<string> {
  return new Set(words.split(/\s+/).filter((word) => word.length > 0));
}

/** Closed-class English words (articles, pronouns, auxiliaries, prepositions, conjunctions). */
export const FUNCTION_WORDS: ReadonlySet<string> = wordSet(`
  a about above after again against all am an and any are as at be because been before being below
  between both but by can cannot could did do does doing down during each either few for from further
  had has have having he her here hers herself him himself his how i if in into is it its itself just
  me more most my myself neither no nor not of off on once only onto or other our ours ourselves out
  over own same shall she should so some such than that the their theirs them themselves then there
  these they this those through thus to too under until up upon us very via was we were what when
  where whether which while who whom whose why will with within without would you your yours yourself
  yourselves also s t d ll m re ve`);

/** Words too common in news to name a topic: excluded from keywords (but not from similarity). */
export const KEYWORD_STOPWORDS: ReadonlySet<string> = new Set([
  ...FUNCTION_WORDS,
  ...wordSet(`
  said say says saying told tell tells asked according added new old one two three four five six seven
  eight nine ten first second third last next year years time times day days week weeks month months
  ago today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
  february march april may june july august september october november december people person man men
  woman women thing things way ways lot made make makes making get gets got going go goes went come
  came comes take took taken know knew known think thought want wanted like just even still now well
  many much another every however although though including around back away since already always
  never often really something anything nothing everyone someone another cnn mail daily reporter
  published updated pictured picture image photo video click scroll read here could would might must
  can will may also may mr mrs ms dr per cent percent number part set told late early`),
  ...wordSet(`
  president minister official officials leader leaders spokesman spokeswoman statement report reports
  news source sources member members country countries nation nations world government authorities
  hundreds thousands millions dozens side sides chapter life friend friends family families bit lot kind
  sort fact case cases issue issues problem problems end start top group groups area areas place places
  home house room deal evidence claim claims message moments moment chance plan plans couple board data
  visit meeting talks comments comment story stories question questions result results reason reasons
  change changes support decision move attempt use need idea point points level term form line series
  range amount rate effect effects post rules games game front half win body girl boy mother father son
  daughter wife husband child children kids parents person members player players team teams club clubs
  fans star stars country state states city cities town officer officers work job jobs money cost costs
  life lives`),
]);
