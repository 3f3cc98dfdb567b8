"""The numbered references every rule, threshold and explanation cites (data only).

``[26]`` in a rule, a threshold or an explanation is :data:`REFERENCES` entry 26.
Numbers 1-106 are those of the clinical specification the knowledge base was
written from (number 100 is not used there and is absent here); numbers 110-159
are the sources of the management options (:mod:`~calcinosis_classify.knowledge.management`),
160-229 those of the terminology code maps (:mod:`~calcinosis_classify.knowledge.codes`) and 230-259
those of evidence rules the specification does not cover.
Each entry keeps the public copy that was read (``url``, further copies in
``other_urls``); some of those are mirrors or secondary copies, so where the
primary publication could be identified the entry also carries its DOI, its
PubMed id, or (for works with neither) the publisher's own address, and
:attr:`Reference.canonical_url` gives the one link to prefer. Those identifiers
were checked against a copy of the publication's record; where none could be
checked the field is empty and ``url`` is the only link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["REFERENCES", "REFERENCES_BY_NUMBER", "Reference"]


@dataclass(frozen=True)
class Reference:
    """One numbered source.

    Attributes
    ----------
    number : int
        The number cited as ``[number]``.
    authors : str
        Authors as cited (``"Le C, Bedocs PM"``); empty for unsigned pages.
    title : str
        Title of the work (for a web page, what it is).
    year : int or None
        Year of publication, when known.
    source : str
        Where it appeared: journal with volume and pages, book, or website.
    url : str
        The public copy the specification cites (possibly a mirror).
    other_urls : tuple of str
        Further copies or companion pages the specification cites.
    doi : str
        DOI of the primary publication, without a resolver prefix.
    pmid : str
        PubMed id of the primary publication.
    canonical : str
        The publisher's own address, for a work without DOI or PubMed id whose
        ``url`` is a secondary copy.
    """

    number: int
    authors: str
    title: str
    year: int | None
    source: str
    url: str
    other_urls: tuple[str, ...] = ()
    doi: str = ""
    pmid: str = ""
    canonical: str = ""

    @property
    def canonical_url(self) -> str:
        """The link to prefer: the DOI, else the PubMed record, else the publisher's page; ``""`` if none."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.canonical

    @property
    def link(self) -> str:
        """:attr:`canonical_url` when there is one, else :attr:`url`."""
        return self.canonical_url or self.url

    def citation(self) -> str:
        """One line: ``[n] Authors. Title. Source.``"""
        parts = [p for p in (self.authors, self.title, self.source) if p]
        return f"[{self.number}] " + ". ".join(p.rstrip(".") for p in parts) + "."


def _r(number: int, authors: str, title: str, year: int | None, source: str, url: str, *other_urls: str,
       doi: str = "", pmid: str = "", canonical: str = "") -> Reference:
    return Reference(number, authors, title, year, source, url, tuple(other_urls), doi, pmid, canonical)


REFERENCES: tuple[Reference, ...] = (
    _r(1, "Le C, Bedocs PM", "Calcinosis Cutis", None, "StatPearls",
       "https://www.statpearls.com/sp/md/393/18768/", "http://knowledge.statpearls.com/chapter/rheumatology/18768/"),
    _r(2, "Reiter N, El-Shabrawi L, Leinweber B, Berghold A, Aberer E", "Calcinosis cutis: part I. Diagnostic pathway",
       2011, "J Am Acad Dermatol 2011;65:1-12", "https://pubmed.ncbi.nlm.nih.gov/21679810/", pmid="21679810"),
    _r(3, "Walsh JS, Fairley JA", "Calcifying disorders of the skin", 1995, "J Am Acad Dermatol 1995;33:693-706",
       "https://pubmed.ncbi.nlm.nih.gov/7593766/", pmid="7593766"),
    _r(4, "", "Calcinosis cutis (reviewed Feb 2024)", 2024, "DermNet", "https://dermnetnz.org/topics/calcinosis-cutis"),
    _r(5, "Nunley JR", "Calcinosis Cutis (overview; clinical presentation)", None, "Medscape / eMedicine",
       "http://img.medscape.com/pi/iphone/medscapeapp/html/A1103137-business.html",
       "https://emedicine.staging.medscape.com/article/1103137-clinical"),
    _r(6, "Fernandez KH, Ward DS", "Calcinosis cutis: etiology and patient evaluation", None,
       "UpToDate (public summary)", "http://www.uptodate.com/contents/calcinosis-cutis-etiology-and-patient-evaluation"),
    _r(7, "Jiménez-Gallo D, Ossorio-García L, Linares-Barrios M", "Calcinosis cutis and calciphylaxis", 2015,
       "Actas Dermosifiliogr 2015;106:785-94",
       "https://actasdermo.org/en-calcinosis-cutis-calciphylaxis-articulo-S1578219015002802",
       doi="10.1016/j.ad.2015.09.001", pmid="26394755"),
    _r(8, "Nunley JR", "Calciphylaxis (clinical presentation; workup; overview)", None, "Medscape",
       "https://emedicine.medscape.com/article/1095481-clinical", "https://emedicine.medscape.com/article/1095481-workup",
       "http://img.medscape.com/pi/iphone/medscapeapp/html/A1095481-business.html"),
    _r(9, "Nigwekar SU, Thadhani R, Brandenburg VM", "Calciphylaxis", 2018, "N Engl J Med 2018;378:1704-14",
       "https://de.scribd.com/document/427340508/calcifilaxis-pdf", doi="10.1056/NEJMra1505292"),
    _r(10, "Weenig RH, Sewell LD, Davis MDP, McCarthy JT, Pittelkow MR",
       "Calciphylaxis: natural history, risk factor analysis, and outcome", 2007, "J Am Acad Dermatol 2007;56:569-79",
       "https://revistanefrologia.com/index.php?p=doi-resolver&doi=10.1016/j.jaad.2006.08.065",
       doi="10.1016/j.jaad.2006.08.065"),
    _r(11, "Mazhar AR et al.", "Risk factors and mortality associated with calciphylaxis in end-stage renal disease",
       2001, "Kidney Int 2001;60:324-32",
       "https://www.ochsnerjournal.org/lookup/external-ref?access_num=10.1046/j.1523-1755.2001.00803.x&link_type=DOI",
       doi="10.1046/j.1523-1755.2001.00803.x"),
    _r(12, "Nigwekar SU et al.", "A nationally representative study of calcific uremic arteriolopathy risk factors", 2016,
       "J Am Soc Nephrol 2016;27:3421-9", "https://pmc.ncbi.nlm.nih.gov/articles/PMC5084892",
       doi="10.1681/ASN.2015091065", pmid="27080977"),
    _r(13, "Hayashi M et al.", "A case-control study of calciphylaxis in Japanese end-stage renal disease patients",
       2012, "Nephrol Dial Transplant 2012", "http://47.251.13.51:8081/22121234", pmid="22121234"),
    _r(14, "Galloway PAG, El-Damanawi R, Bardsley V, Pritchard NR, Fry AC, Ojha SK, Hiemstra TF",
       "Vitamin K antagonists predispose to calciphylaxis in patients with end-stage renal disease", 2015,
       "Nephron 2015;129:197-201", "https://www.repository.cam.ac.uk/handle/1810/247028?show=full",
       doi="10.1159/000371449"),
    _r(15, "Brandenburg VM et al.",
       "Calcific uraemic arteriolopathy (calciphylaxis): data from a large nationwide registry", 2017,
       "Nephrol Dial Transplant 2017;32:126-32", "https://www.ncbi.nlm.nih.gov/pubmed?term=26908770", pmid="26908770"),
    _r(16, "", "UK Calciphylaxis Study: management strategies and outcomes (PMC8494680)", None, "",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC8494680"),
    _r(17, "", "Outcomes and mortality in calciphylaxis: a multicenter update", 2025, "J Am Acad Dermatol 2025",
       "http://47.251.13.51:8081/40409721", pmid="40409721"),
    _r(18, "Nigwekar SU et al.", "Calciphylaxis from nonuremic causes: a systematic review", 2008,
       "Clin J Am Soc Nephrol 2008;3:1139-43", "http://47.251.13.51:8081/18417747",
       doi="10.2215/CJN.00530108", pmid="18417747"),
    _r(19, "Yu WY et al.", "Warfarin-associated nonuremic calciphylaxis", 2017, "JAMA Dermatol 2017;153:309-14",
       "https://pubmed.ncbi.nlm.nih.gov/28099971/",
       "http://jamanetwork.com/journals/jamadermatology/article-abstract/2596396", pmid="28099971"),
    _r(20, "Kalajian AH, Malhotra PS, Callen JP, Parker LP",
       "Calciphylaxis with normal renal and parathyroid function: not as rare as previously believed", 2009,
       "Arch Dermatol 2009;145:451-8", "http://archderm.jamanetwork.com/article.aspx?articleid=711985",
       doi="10.1001/archdermatol.2008.602"),
    _r(21, "Santos PW, He J, Tuffaha A, Wetmore JB",
       "Clinical characteristics and risk factors associated with mortality in calcific uremic arteriolopathy", 2017,
       "Int Urol Nephrol 2017",
       "https://www.springermedicine.com/clinical-characteristics-and-risk-factors-associated-with-mortal/21759018"),
    _r(22, "", "Calciphylaxis epidemiology, risk factors, treatment and survival among French CKD patients: "
       "a case-control study", 2020, "BMC Nephrol 2020",
       "https://bmcnephrol.biomedcentral.com/articles/10.1186/s12882-020-01722-y", doi="10.1186/s12882-020-01722-y"),
    _r(23, "Liu Y et al.", "Prevalence and clinical characteristics of calciphylaxis in Chinese hemodialysis patients",
       2022, "Front Med 2022", "https://frontiersin.org/articles/10.3389/fmed.2022.902171/full",
       doi="10.3389/fmed.2022.902171"),
    _r(24, "Dobry AS, Ko LN, St John J, Sloan JM, Nigwekar S, Kroshinsky D",
       "Association between hypercoagulable conditions and calciphylaxis in patients with renal disease: "
       "a case-control study", 2018, "JAMA Dermatol 2018;154:182-7", "https://pmc.ncbi.nlm.nih.gov/articles/PMC5839276/",
       doi="10.1001/jamadermatol.2017.4920", pmid="29238798"),
    _r(25, "Hayashi M", "Calciphylaxis: diagnosis and clinical features", 2013, "Clin Exp Nephrol 2013;17:498-503",
       "https://link.springer.com/article/10.1007%2Fs10157-013-0782-z", doi="10.1007/s10157-013-0782-z"),
    _r(26, "", "Hierarchical diagnosis of calciphylaxis in dialysis patients (Table 3, PMC10557543)", None, "",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC10557543/table/t0003"),
    _r(27, "Mochel M et al.", "Retrospective histologic and histochemical evaluation of cutaneous calciphylaxis "
       "(USCAP 2013 abstract 482); peri-eccrine calcification", 2013, "USCAP 2013 annual meeting",
       "http://www.abstracts2view.com/uscap13/view.php?nu=USCAP13L_482",
       "https://journalrip.com/Article/JRIP_20150224100920"),
    _r(28, "", "Risk factors for the development of CUA/calciphylaxis (Table 1, PMC2952095)", None, "",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC2952095/table/T1"),
    _r(29, "Nigwekar SU et al.", "Calciphylaxis incidence in the USRDS (J Gen Intern Med), as reported by "
       "Renal & Urology News", None, "Renal & Urology News",
       "https://www.renalandurologynews.com/home/news/nephrology/end-stage-renal-disease/"
       "calciphylaxis-incidence-rising-study-finds/",
       "https://www.renalandurologynews.com/home/web-exclusives/physician-polls/"
       "have-you-ever-had-a-dialysis-patient-with-calciphylaxis/"),
    _r(30, "", "Dermatopathology textbook excerpt: risk factors for calciphylaxis, proximal vs distal disease "
       "(secondary mirror)", None, "",
       "https://www.mussenhealth.us/photomicrograph-depicting/risk-factors-for-calciphylaxis.html"),
    _r(31, "", "Update on calciphylaxis etiopathogenesis, diagnosis, and management", None, "Cutis / MDedge",
       "https://mdedge9-ma1.mdedge.com/content/update-calciphylaxis-etiopathogenesis-diagnosis-and-management"),
    _r(32, "", "Warfarin-induced nonuremic calciphylaxis: a case study and overview", None, "Practical Dermatology",
       "https://practicaldermatology.com/youngmd-connect/resident-resource-center/"
       "warfarin-induced-nonuremic-calciphylaxis-a-case-study-and-overview/23872"),
    _r(33, "", "Photo Rounds: unexpected skin necrosis of the thighs", None, "J Fam Pract / MDedge",
       "https://mdedge-cache.qa01.mdedge.com/familymedicine/article/64341/dermatology/"
       "unexpected-skin-necrosis-thighs/page/0/1"),
    _r(34, "", "Calciphylaxis: beyond CKD-MBD", None, "Nefrología",
       "https://revistanefrologia.com/en-calciphylaxis-beyond-ckd-mbd-articulo-S201325141730158X"),
    _r(35, "", "Retiform purpura: workup and therapeutic considerations in select conditions", None,
       "J Am Acad Dermatol (CME)", "https://linkinghub.elsevier.com/retrieve/pii/S0190962219326738"),
    _r(36, "", "NKF KDOQI Clinical Practice Guidelines for Bone Metabolism and Disease in "
       "CKD (2003), Guideline 6", 2003, "National Kidney Foundation",
       "http://kidneyfoundation.cachefly.net/professionals/KDOQI/guidelines_bone/guide6.htm"),
    _r(37, "", "NKF KDOQI Guidelines for Bone Metabolism and Disease in Children with "
       "CKD, Guideline 7", None, "National Kidney Foundation",
       "https://kidneyfoundation.cachefly.net/professionals/KDOQI/guidelines_pedbone/guide7.htm"),
    _r(38, "", "NKF KDOQI bone guidelines (2003), guideline statements", 2003, "National Kidney Foundation",
       "http://kidneyfoundation.cachefly.net/professionals/KDOQI/guidelines_bone/guidestate.htm"),
    _r(39, "", "KDIGO guideline comparison: mineral metabolism targets, CKD stage 3 (includes UK Renal Association "
       "targets)", None, "KDIGO",
       "http://www.kdigo.org/guidelines/compare/Table-General%20Nephrology-Mineral%20Metabolism%20Targets%20Stage%203"
       "_090707.html"),
    _r(40, "Abe M et al.", "Mineral metabolic abnormalities and mortality in dialysis patients (Table 1)", 2013,
       "Nutrients 2013;5:1002-23", "https://pmc.ncbi.nlm.nih.gov/articles/PMC3705332/table/nutrients-05-01002-t001"),
    _r(41, "", "KDIGO 2012 GFR and albuminuria categories (reprinted in Cleve Clin J Med)", 2012, "Cleve Clin J Med",
       "https://www.ccjm.org/highwire/markup/1488/expansion?height=500&iframe=true&width=1000"),
    _r(42, "", "The fallacy of the calcium-phosphorus product", 2007, "Kidney Int 2007",
       "https://discovery.researcher.life/article/the-fallacy-of-the-calciumphosphorus-product/"
       "15203bf755713759be00be2ef252ceeb", doi="10.1038/sj.ki.5002412", pmid="17609689"),
    _r(43, "Christman MP, Kroshinsky D", "Calcinosis cutis", 2015, "In: Nunley JR, Lerma EV (eds). Dermatological "
       "Manifestations of Kidney Disease. Springer 2015, ch. 9", "https://plasticsurgerykey.com/calcinosis-cutis",
       doi="10.1007/978-1-4939-2395-3_9"),
    _r(44, "", "Advanced metastatic calcinosis cutis in ESRD: case report (PMC5468049)", None, "",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC5468049"),
    _r(45, "", "Minars dermatology textbook: calcinosis cutis; calciphylaxis", None, "Minars Dermatology",
       "https://www.minarsdermatology.com/dermatology-textbook/dt_calcinosis_cutis.htm",
       "https://www.minarsdermatology.com/dermatology-textbook/dt_calciphylaxis.htm"),
    _r(46, "", "Dermatology textbook excerpt: types of calcinosis cutis; calciphylaxis (Biocyclopedia mirror)", None, "",
       "https://skin-disease-care.biocyclopedia.com/21141624.php",
       "https://skin-disease-care.biocyclopedia.com/21161626.php"),
    _r(47, "", "Calcinosis and calciphylaxis", None, "RheumaKnowledgy",
       "https://www.rheumaknowledgy.com/calcinosis-and-calciphyaxis/"),
    _r(48, "Scofield RH", "Milk-alkali syndrome", None, "Medscape", "https://emedicine.medscape.com/article/123324-print"),
    _r(49, "", "Milk-alkali syndrome: case report (third leading cause of hypercalcaemia, up to 12%)", 2019,
       "Int J Case Rep Images",
       "https://www.ijcasereportsandimages.com/archive/article-full-text/101004Z01DS2019"),
    _r(50, "Marcinowska-Suchowierska E et al.", "Vitamin D toxicity: a clinical perspective", 2018,
       "Front Endocrinol 2018;9:550", "https://pmc.ncbi.nlm.nih.gov/articles/PMC6158375"),
    _r(51, "", "Serum vitamin D level reference ranges (NAM/IOM categories), Appendix A Table 1 of an AHRQ/USPSTF "
       "evidence review", None, "NCBI Bookshelf", "https://www.ncbi.nlm.nih.gov/books/NBK525404/table/app_1/"),
    _r(52, "", "Resistant hypercalcemia (definitions, grading, correction formulas)", None, "StatPearls",
       "https://statpearls.com/point-of-care/131067?medium=organic"),
    _r(53, "", "Laboratory and clinical tumour lysis syndrome definitions (table)", None, "",
       "https://www.omicsonline.org/articles-images/JCST-04-164-t002.html"),
    _r(54, "Valenzuela A et al.", "Calcinosis is associated with digital ulcers and osteoporosis in SSc: a SCTC "
       "study", 2016, "Semin Arthritis Rheum 2016",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC5500288"),
    _r(55, "Baron M et al.", "Calcinosis is associated with digital ischaemia in systemic sclerosis: a longitudinal "
       "study", 2016, "Rheumatology 2016;55:2148-55", "https://pmc.ncbi.nlm.nih.gov/articles/PMC5144666"),
    _r(56, "Valenzuela A et al.", "Calcinosis is associated with ischemic manifestations and increased disability in "
       "SSc", 2020, "Semin Arthritis Rheum 2020",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC8205269"),
    _r(57, "Hoeltzel MF, Oberle EJ, Robinson AB, Agarwal A, Rider LG", "The presentation, assessment, pathogenesis, "
       "and treatment of calcinosis in juvenile dermatomyositis", 2014, "Curr Rheumatol Rep 2014;16:467",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC5118224", doi="10.1007/s11926-014-0467-y", pmid="25366934"),
    _r(58, "", "Is anti-NXP2 autoantibody a risk factor for calcinosis and poor outcome in juvenile dermatomyositis "
       "patients? Case series", None, "",
       "https://discovery.researcher.life/article/is-antinxp2-autoantibody-a-risk-factor-for-calcinosis-and-poor-"
       "outcome-in-juvenile-dermatomyositis-patients-case-series/43f8228958863534ad05dc598d812e1d"),
    _r(59, "Balin SJ, Wetter DA, Andersen LK, Davis MDP", "Calcinosis cutis occurring in association with autoimmune "
       "connective tissue disease: the Mayo Clinic experience with 78 patients, 1996-2009", 2012,
       "Arch Dermatol 2012;148:455-62", "http://archderm.jamanetwork.com/article.aspx?articleid=1150959",
       doi="10.1001/archdermatol.2011.2052"),
    _r(60, "Terry SF, Uitto J; Germain DP", "Pseudoxanthoma elasticum (GeneReviews); Pseudoxanthoma elasticum "
       "(Orphanet J Rare Dis 2017)", None, "GeneReviews; Orphanet J Rare Dis 2017",
       "https://https.ncbi.nlm.nih.gov/books/n/gene/pxe/?report=reader",
       "https://ojrd.biomedcentral.com/articles/10.1186/s13023-017-0639-8",
       canonical="https://www.ncbi.nlm.nih.gov/books/n/gene/pxe/"),
    _r(61, "Sütçü M, Akdağ O", "Idiopathic scrotal calcinosis: review with seven cases", 2019,
       "Eur Arch Med Res 2019;35:132-6",
       "https://eurarchmedres.org/archives/archive-detail/article-preview/diopathic-scrotal-calcinosis-a-review-of-the-"
       "liter/30381", "https://en.wikipedia.org/wiki/Idiopathic_scrotal_calcinosis"),
    _r(62, "", "Calcification and ossification in the skin (textbook chapter 95, mirror)", None, "",
       "https://plasticsurgerykey.com/95-calcification-and-ossification-in-the-skin"),
    _r(63, "", "Subepidermal calcified nodule", 2023, "DermNet",
       "https://pro.dermnetnz.org/topics/subepidermal-calcified-nodule"),
    _r(64, "Evans MJ, Blessing K, Gray ES", "Subepidermal calcified nodule in children: 21 cases (with VisualDx: "
       "subepidermal calcified nodule)", 1995, "Pediatr Dermatol 1995",
       "https://zendy.io/title/10.1111/j.1525-1470.1995.tb00189.x",
       "https://www.visualdx.com/visualdx/diagnosis/subepidermal+calcified+nodule?diagnosisId=53401&moduleId=103",
       doi="10.1111/j.1525-1470.1995.tb00189.x"),
    _r(65, "Solak B et al.", "Milia-like calcinosis cutis in a girl with Down syndrome (with: Milia-like calcinosis "
       "cutis in Down syndrome: a new case with review, Dermatol Online J)", 2016, "An Bras Dermatol 2016",
       "http://www.scielo.br/j/abd/a/PL3QYrg5rCvS6TMTcL9ZR3n/?lang=en", "https://escholarship.org/uc/item/5s61z4v2"),
    _r(66, "Boyce AM, Lee AE, Roszko KL, Gafni RI", "Hyperphosphatemic tumoral calcinosis: pathogenesis, clinical "
       "presentation, and challenges in management", 2020, "Front Endocrinol 2020",
       "https://www.frontiersin.org/articles/10.3389/fendo.2020.00293", doi="10.3389/fendo.2020.00293"),
    _r(67, "", "Hyperphosphatemic familial tumoral calcinosis: GeneReviews summary (via FindZebra); OMIM #211900",
       None, "GeneReviews; OMIM",
       "https://findzebra.com/details/BkOVBPw-hyperphosphatemic-familial-tumoral-calcinosis?q=cowden+syndrome",
       "https://https.ncbi.nlm.nih.gov/omim/211900", canonical="https://omim.org/entry/211900"),
    _r(68, "Sprecher E", "Familial tumoral calcinosis: from characterization of a rare phenotype to the pathogenesis of "
       "ectopic calcification (with: Normophosphatemic familial tumoral calcinosis, Jewish Genetic Diseases)", 2010,
       "J Invest Dermatol 2010", "https://pmc.ncbi.nlm.nih.gov/articles/PMC3169303",
       "https://jewishgenetics.org/genetic-disorders/search-genetic-disorders/"
       "normophosphatemic-familial-tumoral-calcinosis"),
    _r(69, "", "Calcified nodule secondary to heel sticks (with: VisualDx, calcified nodules of the heels; "
       "Contemporary Pediatrics, curious yellow bumps on a baby's heels)", 2006,
       "Arch Pediatr Adolesc Med 2006;160:646", "https://jamanetwork.com/journals/jamapediatrics/fullarticle/486266",
       "https://www.visualdx.com/visualdx/diagnosis/calcified%20nodules%20of%20the%20heels?diagnosisId=53774"
       "&moduleId=12", "https://www.contemporarypediatrics.com/view/curious-yellow-bumps-babys-heels"),
    _r(70, "", "Neonatal iatrogenic calcinosis cutis caused by calcium gluconate extravasation (16 neonates)", None, "",
       "https://www.readbyqxmd.com/read/37545297/neonatal-iatrogenic-calcinosis-cutis-caused-by-calcium-gluconate-"
       "extravasation", pmid="37545297"),
    _r(71, "Song KS, Lee SW, Kim DH, Min KK, Yon CJ", "Spontaneous resolution of iatrogenic calcinosis cutis after "
       "parenteral calcium gluconate therapy in neonates", 2019, "J Korean Orthop Assoc 2019;54:192-6",
       "https://www.koreamed.org/SearchBasic.php?RID=2444787", doi="10.4055/jkoa.2019.54.2.192"),
    _r(72, "Hetaimish B", "Neonatal calcinosis cutis after treatment of hypocalcemia with calcium gluconate: "
       "a report of 2 cases", 2024, "Am J Case Rep 2024;25:e943397", "https://amjcaserep.com/abstract/full/idArt/943397",
       doi="10.12659/AJCR.943397"),
    _r(73, "Ahn KH, Park ES", "A rare case report of neonatal calcinosis cutis induced by distant and delayed "
       "extravasation of intravenous calcium gluconate", 2021, "Arch Plast Surg 2021;48:641-5",
       "https://www.e-aps.org/journal/view.php?number=3916&viewtype=pubreader", doi="10.5999/aps.2020.01942"),
    _r(74, "", "Cutaneous calcinosis in a neonate following extravasation of calcium gluconate", 1982,
       "J Am Acad Dermatol 1982;6:392-5", "http://www.pubmed.gov/7068967/", pmid="7068967"),
    _r(75, "", "Photo Rounds: erythematous plaque with yellowish papules on the shin (iatrogenic calcinosis cutis)",
       None, "J Fam Pract / MDedge",
       "https://mdedge-cache.qa01.mdedge.com/familymedicine/article/76242/dermatology/"
       "erythematous-plaque-yellowish-papules-shin/page/0/1"),
    _r(76, "Rumancik BE, Rahnama-Moghadam S", "Severe iatrogenic calcinosis cutis from extravasated calcium gluconate",
       2020, "Cureus 2020",
       "https://docslib.org/doc/10776446/severe-iatrogenic-calcinosis-cutis-from-extravasated-calcium-gluconate",
       doi="10.7759/cureus.9712"),
    _r(77, "", "Occult iatrogenic calcinosis cutis in an infant (PMC10666667)", None, "",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC10666667"),
    _r(78, "", "Cutaneous necrosis after contact with calcium chloride: a mistaken diagnosis of child abuse "
       "(mentions EEG contact paste)", 1996, "Pediatrics 1996;97:257",
       "https://discovery.researcher.life/article/cutaneous-necrosis-after-contact-with-calcium-chloride-a-mistaken-"
       "diagnosis-of-child-abuse/f95f7ddf1e0f332ba86c1f0372297b42",
       canonical="https://publications.aap.org/pediatrics/article-abstract/97/2/257/60480/"
                 "Cutaneous-Necrosis-After-Contact-With-Calcium"),
    _r(79, "", "Infant with a pearl-like nodule on the heel (iatrogenic causes incl. para-aminosalicylic acid and "
       "calcium chloride electrode paste)", None, "Contemporary Pediatrics",
       "https://www.contemporarypediatrics.com/view/full-case-infant-presents-with-an-asymptomatic-pearl-like-nodule-"
       "on-the-heel"),
    _r(80, "", "Subcutaneous fat necrosis of the newborn and hypercalcemia (with: Borgia F et al., J Paediatr Child "
       "Health 2006; SCFN and idiopathic hypercalcemia, Arch Dermatol 1980;116:1155-8; Siegel LH et al., Pediatr "
       "Dermatol 2022)", 1993, "Pediatr Dermatol 1993;10:271-6",
       "https://pubmed.ncbi.nlm.nih.gov/8415307/?dopt=Abstract",
       "https://moh-it.pure.elsevier.com/en/publications/subcutaneous-fat-necrosis-of-the-newborn-be-aware-of-hypercalcaem",
       "https://jamanetwork.com/journals/jamadermatology/article-abstract/541424",
       "https://biomed.reviewer.ly/app/publication/4435c697-c9ff-4cb5-85bb-16ef27d2d870", pmid="8415307"),
    _r(81, "", "Calcium, blood, total and ionized", None, "Davis's Lab & Diagnostic Tests",
       "http://www.labdxtest.com/labdxtest/view/Davis-Lab-and-Diagnostic-Tests/425451/all/"
       "Calcium__Blood__Total_and_Ionized"),
    _r(82, "", "Phosphorus, blood", None, "Davis's Lab & Diagnostic Tests",
       "http://www.labdxtest.com/labdxtest/view/Davis-Lab-and-Diagnostic-Tests/425171/all/Phosphorus__Blood"),
    _r(83, "", "Parathyroid hormone", None, "Davis's Lab & Diagnostic Tests",
       "https://nursing.unboundmedicine.com/nursingcentral/view/Davis-Lab-and-Diagnostic-Tests/425422/2/"
       "Parathyroid_Hormone"),
    _r(84, "", "Phosphate (as phosphorus) reference ranges", None, "Quest Diagnostics",
       "https://jdos.nicholsinstitute.com/dos/nmmcpathology/test/571975"),
    _r(85, "", "Phosphate reference ranges", None, "DiaSys Diagnostic Systems",
       "https://www.diasys-diagnostics.com/service-area/support/reference-ranges/analyte/phosphorus/analyte.show"),
    _r(86, "", "Normal values in adults (Table 1, PMC7276095)", 2020, "Atherosclerosis 2020",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC7276095/table/T1"),
    _r(87, "Yu ASL, Stubbs JR", "Relation between total and ionized serum calcium concentrations", None,
       "UpToDate (public summary)",
       "https://www.uptodate.com/contents/relation-between-total-and-ionized-serum-calcium-concentrations"),
    _r(88, "", "Blood chemistry reference table (textbook Appendix A, Table A-3)", None, "",
       "https://cld.bz/bookdata/rFBLuj/basic-html/page1213.html"),
    _r(89, "", "Conventional-to-SI conversion tables", None, "", "http://w3.csmu.edu.tw/~chr/Int_unit_conversion.htm",
       "http://www.elephantcare.org/convers.htm"),
    _r(90, "", "Parathyroid hormone unit converter and interpretation", None, "labtests.co.in",
       "https://labtests.co.in/unit-converter/parathyroid-hormone-pth"),
    _r(91, "", "25-hydroxyvitamin D unit converter", None, "labtests.co.in",
       "https://labtests.co.in/unit-converter/vitamin-d-total"),
    _r(92, "", "1,25-dihydroxyvitamin D reference ranges (citing Kratz et al., NEJM 2004; with a Medscape-derived "
       "secondary summary)", None, "Perinatology.com",
       "https://www.perinatology.com/Reference/Reference%20Ranges/Vitamin%20D%201.htm",
       "https://daiseybloomvigor.blogspot.com/2021/12/vitamin-d-pg-ml.html?hl=ar"),
    _r(93, "", "Magnesium units and ranges", None, "", "https://www.seekhealthz.com/health/how-is-magnesium-measured/",
       "https://labtests.co.in/unit-converter/magnesium-mg"),
    _r(94, "", "Albumin-corrected calcium: SI Payne form; R package documentation (cliot, citing Payne 1973); "
       "alternative 0.025 slope (clinicalr); limitations", None, "",
       "https://theguidewire.net/cases_questions/how-can-the-affect-of-albumin-levels-be-accounted-for",
       "https://rdrr.io/cran/cliot/man/calcium_correction_hypoalbuminemia.html",
       "https://rdrr.io/github/LS31/clinicalr/man/adjust_calcium_for_albumin.html",
       "https://achawaqat.com/calculators/endocrinology/calcium-correction"),
    _r(95, "Rivara MB et al.", "Uncorrected and albumin-corrected calcium, phosphorus, and mortality in patients "
       "undergoing maintenance dialysis", 2015, "J Am Soc Nephrol 2015;26:1671-81",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC4483586"),
    _r(96, "", "HL7 FHIR PDDI CDS implementation guide, ValueSet: LOINC codes for serum calcium", None, "HL7 FHIR",
       "https://hl7.org/fhir/uv/pddi/en/ValueSet-valueset-calcium-LOINC.html"),
    _r(97, "", "Paediatric calcinosis cutis single-institution cohort (30 cases; no metastatic cases)", None, "",
       "https://referencecitationanalysis.com/citearticles?term=%5B%7B%22c%22%3Anull%2C%22id%22%3A%22c%22%2C%22o%22"
       "%3Anull%2C%22v%22%3A%2210.1186%2Fs13256-018-1922-6%22%2C%22b%22%3Anull%2C%22f%22%3Anull%7D%5D"),
    _r(98, "", "Proximal cutaneous necrosis associated with small vessel calcification in renal failure "
       "(4 dialysis patients)", None, "",
       "https://paperexplained.cn/articles/paper/detail/7e4d41b004f9997153908cf700bf42f10adadaad"),
    _r(99, "", "PTH-dependent vs PTH-independent hypercalcaemia work-up (AI-generated clinical summaries, low "
       "authority, used only for the widely taught branch point)", None, "",
       "https://www.droracle.ai/articles/824446/what-are-the-differential-diagnoses-appropriate-workup-and-management",
       "https://www.droracle.ai/articles/658615/what-is-the-initial-step-in-evaluating-the-cause"),
    _r(101, "", "Calcinosis cutis summary (iatrogenic: extravasation of calcium or phosphate infusions)", None,
       "ClinicalGate", "https://clinicalgate.com/calcinosis-cutis"),
    _r(102, "", "Calciphylaxis pain management review (incidence 0.04-4% in dialysis; 1-year mortality up to 50%) "
       "(PMC7595979)", None, "", "https://pmc.ncbi.nlm.nih.gov/articles/PMC7595979"),
    _r(103, "Russ P, Russwurm M, Kortus-Goetze B, Hoyer J, Kamalanabhaiah S", "Phenprocoumon based anticoagulation is "
       "an underestimated factor in the pathogenesis of calciphylaxis", 2019, "BMC Nephrol 2019",
       "https://www.springermedizin.de/phenprocoumon-based-anticoagulation-is-an-underestimated-factor-/16599906"
       "?fulltextView=true"),
    _r(104, "el-Azhary RA et al.", "Calciphylaxis: a disease of pannicular thrombosis", None, "Mayo Clinic",
       "https://mayoclinic.pure.elsevier.com/en/publications/calciphylaxis-a-disease-of-pannicular-thrombosis"),
    _r(105, "", "Clinical phenotypes and biologic treatment use in juvenile dermatomyositis-associated calcinosis "
       "(CARRA legacy registry)", 2018, "Pediatr Rheumatol 2018", "https://link.springer.com/10.1186/s12969-018-0299-9",
       doi="10.1186/s12969-018-0299-9"),
    _r(106, "", "Calcific uremic arteriolopathy in peritoneal dialysis patients: review (more than 50% die within a "
       "year, usually from superimposed sepsis; pain often refractory to analgesia) (PMC3124933)", None, "",
       "https://pmc.ncbi.nlm.nih.gov/articles/PMC3124933"),
    # ------------------------------------------------------------------ management (110-159)
    _r(110, "Traineau H, Aggarwal R, Monfort JB, Senet P, Oddis CV, Chizzolini C, Barbaud A, Francès C, Arnaud L, "
       "Chasset F", "Treatment of calcinosis cutis in systemic sclerosis and dermatomyositis: a review of the "
       "literature", 2020, "J Am Acad Dermatol 2020;82:317-25", "http://47.251.13.51:8081/31302187",
       "https://casereports.bmj.com/lookup/external-ref?access_num=10.1016/j.jaad.2019.07.006&link_type=DOI",
       doi="10.1016/j.jaad.2019.07.006", pmid="31302187"),
    _r(111, "Wen W, Portales-Castillo I, Seethapathy R, et al.; Nigwekar SU", "Intravenous sodium thiosulphate for "
       "calciphylaxis of chronic kidney disease: a systematic review and meta-analysis", 2023,
       "JAMA Netw Open 2023;6(4):e2310068", "http://47.251.13.51:8081/37099293", "http://nephjc.com/news/sts-cua",
       doi="10.1001/jamanetworkopen.2023.10068", pmid="37099293"),
    _r(112, "Udomkarnjananun S, Kongnatthasate K, Praditpornsilpa K, Eiam-Ong S, Jaber BL, Susantitaphong P",
       "Treatment of calciphylaxis in CKD: a systematic review and meta-analysis", None, "Kidney Int Rep",
       "https://www.scienceopen.com/document?vid=305f6712-056b-476c-9a56-c33a7c4f536b"),
    _r(113, "Kidney Disease: Improving Global Outcomes (KDIGO) CKD-MBD Update Work Group", "KDIGO 2017 clinical "
       "practice guideline update for the diagnosis, evaluation, prevention, and treatment of chronic kidney "
       "disease-mineral and bone disorder (CKD-MBD)", 2017, "Kidney Int Suppl 2017;7:1-59",
       "https://scienceopen.com/document?vid=d3a00f18-1b74-4de7-9309-dd02c52692f6",
       "https://www.compact-renal.com/2017/07/18/kdigo-2017-ckd-mbd-guidelines-update/"),
    _r(114, "El-Hajj Fuleihan G, Clines GA, Hu MI, Marcocci C, Murad MH, Piggott T, Van Poznak C, Wu JY, Drake MT",
       "Treatment of hypercalcemia of malignancy in adults: an Endocrine Society clinical practice guideline", 2023,
       "J Clin Endocrinol Metab 2023;108:507-28", "https://medluna.com/article/36545746",
       "https://reference.medscape.com/viewarticle/988882", doi="10.1210/clinem/dgac621", pmid="36545746"),
    _r(115, "Ong J, Van Gerpen R", "Recommendations for management of noncytotoxic vesicant extravasations", 2020,
       "J Infus Nurs 2020;43:319-43", "https://ouci.dntb.gov.ua/en/works/7nxaPmyl",
       doi="10.1097/NAN.0000000000000392"),
    _r(116, "", "Intravenous infiltration and extravasation in neonates: prevention, early detection and initial "
       "management (procedure chapter)", None, "AccessPediatrics (McGraw Hill)",
       "https://accesspediatrics.mhmedical.com/content.aspx?bookid=2762&sectionid=234451965"),
    _r(117, "", "Local, nonsystemic, and minimally invasive therapies for calcinosis cutis: a systematic review "
       "(40 studies, 136 patients: topical and intralesional sodium thiosulfate, shock-wave lithotripsy, laser)",
       None, "Arch Dermatol Res", "https://link.springer.com/doi/10.1007/s00403-021-02264-5",
       doi="10.1007/s00403-021-02264-5"),
    _r(118, "Wilhelm SM, Wang TS, Ruan DT, et al.", "The American Association of Endocrine Surgeons guidelines for "
       "definitive management of primary hyperparathyroidism", 2016, "JAMA Surg 2016;151:959-68",
       "http://jamanetwork.com/journals/jamasurgery/fullarticle/2542667"),
    _r(119, "Abramowicz P, Dobrenko E, Abramowicz M, Konstantynowicz J", "Effect of intravenous pamidronate in the "
       "treatment of skin calcinosis in the course of juvenile dermatomyositis: a story half-told (3 children)", 2015,
       "Bone Abstracts 2015;4:P104", "http://www.bone-abstracts.org/ba/0004/ba0004p104.htm",
       doi="10.1530/boneabs.4.P104"),
    _r(120, "Badawi AH, Patel V, Warner AE, Hall JC", "Dystrophic calcinosis cutis: treatment with intravenous sodium "
       "thiosulfate (case letter)", None, "Cutis / MDedge",
       "https://www.mdedge.com/dermatology/article/228543/rare-diseases/dystrophic-calcinosis-cutis-treatment-"
       "intravenous-sodium?channel=285"),
    _r(121, "", "Colchicine suppression of local and systemic inflammation due to calcinosis universalis in chronic "
       "dermatomyositis (2 patients)", 1978, "Ann Intern Med 1978",
       "https://insights.ovid.com/aime/197811010/00000605-197811010-00017"),
    _r(122, "", "Renal Association commentary on the KDIGO (2017) clinical practice guideline update for the "
       "diagnosis, evaluation, prevention, and treatment of CKD-MBD (of 21 updated statements, 8 ungraded and the "
       "others grade 2)", 2018, "BMC Nephrol 2018", "https://dx.doi.org/10.1186/s12882-018-1037-8",
       doi="10.1186/s12882-018-1037-8"),
    # 160-259: terminology sources behind the FHIR code maps (knowledge/codes.py).
    _r(160, "", "HL7 FHIR Clinical Guidelines IG, ValueSet ckd-valueset-creatinine (Creatinine Lab Results: LOINC "
       "2160-0, 14682-9, 77140-2)", 2021, "HL7 International",
       "https://hl7.org/fhir/uv/cpg/ValueSet-ckd-valueset-creatinine.html"),
    _r(161, "", "HL7 FHIR Clinical Guidelines IG, ValueSet ckd-valueset-egfr (eGFR Lab Results: LOINC 76633-7, "
       "33914-3, 77147-7, 69405-9)", 2021, "HL7 International",
       "https://hl7.org/fhir/uv/cpg/STU1/ValueSet-ckd-valueset-egfr.html",
       "https://build.fhir.org/ig/cqframework/cpg-example-ckd/ValueSet-ckd-valueset-egfr.html"),
    _r(162, "", "HL7 FHIR PDDI CDS IG, ValueSet valueset-renal-LOINC (LOINC Codes for Renal Function: 2160-0, "
       "33914-3, 50044-7, 48642-3, 48643-1)", 2018, "HL7 International",
       "https://www.hl7.org/fhir/uv/pddi/2023Jan/ValueSet-valueset-renal-LOINC.xml.html",
       "https://build.fhir.org/ig/HL7/PDDI-CDS/branches/__default/en/ValueSet-valueset-renal-LOINC.json"),
    _r(163, "", "LOINC 2731-8 Parathyrin.intact [Mass/volume] in Serum or Plasma (PTH-Intact SerPl-mCnc)", None,
       "Regenstrief Institute, LOINC", "https://loinc.org/2731-8"),
    _r(164, "", "Phosphorus, Inorganic, Serum or Plasma (test 0020028; LOINC 2777-1)", None,
       "ARUP Laboratories test directory", "https://ltd.aruplab.com/Tests/Pub/0020028"),
    _r(165, "", "PROTECT-CHILD IG, ObservationDefinition LabTestExample1 (LOINC 1751-7 Albumin [Mass/volume] in "
       "Serum or Plasma, UCUM g/dL)", None, "HL7 Europe",
       "https://build.fhir.org/ig/hl7-eu/protect-child/ObservationDefinition-LabTestExample1.json"),
    _r(166, "", "HL7 Order Catalog IG, ObservationDefinition example-observation-vitamin-d (LOINC 14635-7 "
       "25-hydroxyvitamin D3 [Moles/volume] in Serum or Plasma)", None, "HL7 International",
       "https://hl7.org/fhir/uv/order-catalog/ObservationDefinition-example-observation-vitamin-d.html"),
    _r(167, "", "Laboratory test catalogues naming the LOINC codes of 25-hydroxyvitamin D results (62292-8 "
       "25-Hydroxyvitamin D2+D3 [Mass/volume]; 1989-3 25-Hydroxyvitamin D3)", None, "MercyOne; Corewell Health; "
       "Billings Clinic", "https://mercyonedubuque.testcatalog.org/show/419-1",
       "https://corewellhealth.testcatalog.org/show/LAB1230925-1",
       "https://billingscliniclaboratory.testcatalog.org/show/Billings-Clinic-4893"),
    _r(168, "", "CH LAB-Report IG, eGFR observation profiles (CKD-EPI 2021 creatinine and creatinine-cystatin C, "
       "LOINC 98980-6; CKD-EPI example with 50044-7 and 88293-6)", 2024, "HL7 Switzerland",
       "https://build.fhir.org/ig/hl7ch/ch-lab-report/StructureDefinition-ch-lab-observation-egfr-cr-ckd-epi-2021.html",
       "https://build.fhir.org/ig/hl7ch/ch-lab-report/Observation-Observation-eGFR-CKD-EPI-male.html",
       "https://get-ig.org/canonicals/b4901d74-b148-4631-8962-1057fab576a8?tab=FHIR+Schema"),
    _r(169, "", "Lithuanian Laboratory IG, ValueSet egfr-method (eGFR LOINC codes, incl. 62238-1)", 2026,
       "Lithuanian Medical Library", "https://build.fhir.org/ig/HL7LT/ig-lt-lab/en/ValueSet-egfr-method.xml.html"),
    _r(170, "", "HL7 FHIR PDDI CDS IG, ValueSet valueset-warfarin (RxNorm 11289 Warfarin, 114194 Warfarin Sodium, "
       "82118 Warfarin Potassium)", 2018, "HL7 International",
       "https://www.hl7.org/fhir/uv/pddi/2020Sep/ValueSet-valueset-warfarin.html"),
    _r(171, "", "HL7 FHIR PDDI CDS IG, ValueSet valueset-prednisone (RxNorm 8640 Prednisone)", 2018,
       "HL7 International", "https://www.hl7.org/fhir/uv/pddi/2020Sep/ValueSet-valueset-prednisone.html"),
    _r(172, "", "HL7 FHIR PDDI CDS IG, ValueSet valueset-methylprednisolone (RxNorm 6902 Methylprednisolone)", 2018,
       "HL7 International", "https://www.hl7.org/fhir/uv/pddi/2020Sep/ValueSet-valueset-methylprednisolone.html"),
    _r(173, "", "HL7 FHIR PDDI CDS IG, ValueSet valueset-cortisone (RxNorm 2878 Cortisone)", 2018,
       "HL7 International", "https://build.fhir.org/ig/HL7/PDDI-CDS/ValueSet-valueset-cortisone.html"),
    _r(174, "", "ICD-10-CM N18 Chronic kidney disease (N18.1-N18.6, N18.9) and the chapter 14 coding guideline "
       "(N18.6 End stage renal disease; Z94.0 Kidney transplant status)", None, "ICDList",
       "https://icdlist.com/icd-10/codes/chronic-kidney-disease-ckd-n18",
       "http://icdlist.com/icd-10/guidelines/diseases-of-genitourinary-system-n00-n99"),
    _r(175, "", "ICD-10-CM Z99.2 Dependence on renal dialysis (incl. hemodialysis and peritoneal dialysis status)",
       2025, "icd-10-code.org", "https://icd-10-code.org/icd10cm/code/Z99.2"),
    _r(176, "", "ICD-10-CM E21 Hyperparathyroidism and other disorders of parathyroid gland (E21.0-E21.5)", None,
       "ICDList", "https://icdlist.com/icd-10/codes/hyperparathyroidism-and-other-disorders-of-parathyroid-gland-e21"),
    _r(177, "", "ICD-10-CM M32 Systemic lupus erythematosus (SLE)", 2024, "ICDList", "http://icdlist.com/icd-10/M32"),
    _r(178, "", "ICD-10-CM M34 Systemic sclerosis [scleroderma] (M34.0 progressive systemic sclerosis, M34.1 "
       "CR(E)ST syndrome, M34.9)", None, "DiseaseDB; AccessPhysiotherapy (McGraw Hill)",
       "https://diseasedb.com/icd10/M34",
       "https://accessphysiotherapy.mhmedical.com/content.aspx?bookid=2053&sectionid=162696654"),
    _r(179, "", "ICD-10-CM M33 Dermatopolymyositis (M33.0- juvenile dermatomyositis, M33.1- other dermatomyositis)",
       None, "DiseaseDB", "https://diseasedb.com/icd10/M33", "https://www.diseasedb.com/icd10/M33.00",
       "https://www.diseasedb.com/icd10/M33.1"),
    _r(180, "", "FinnGen phenocode M13_OVERLAP Other overlap syndromes (ICD-10 M35.1; SNOMED CT 398049005 mixed "
       "connective tissue disease)", None, "FinnGen Risteys", "https://r3.risteys.finngen.fi/phenocode/M13_OVERLAP",
       "https://diseasemaps.org/mixed-connective-tissue-disease/top-questions/icd10-icd9-code/"),
    _r(181, "", "ICD-10-CM N25.81 Secondary hyperparathyroidism of renal origin", 2025, "PayerReady",
       "https://payerready.com/codes/icd10/N25-81"),
    _r(182, "", "ICD-10-CM Diabetes mellitus (E08-E13): E08, E09, E10, E11, E13", 2023, "ICD10Data; ICDList",
       "https://www.icd10data.com/ICD10CM/Codes/E00-E89/E08-E13/E10-/E10",
       "https://icdlist.com/icd-10/codes/other-specified-diabetes-mellitus-e13"),
    _r(183, "", "ICD-10-CM E66 Overweight and obesity (E66.0-E66.9; E66.3 overweight)", 2026, "ICDList",
       "https://icdlist.com/icd-10/E66", "https://icdlist.com/icd-10/codes/overweight-and-obesity-e66"),
    _r(184, "", "Calcinosis cutis, ICD-10 code L94.2 (category L94 other localized connective tissue disorders)", None,
       "disease.expert", "https://disease.expert/items/calcinosis-cutis"),
    _r(185, "", "LOINC term pages for 2000-8 (Calcium [Moles/volume] in Serum or Plasma) and 14879-1 (Phosphate "
       "[Moles/volume] in Serum or Plasma): the addresses to check them at; no copy could be read", None,
       "Regenstrief Institute, LOINC", "https://loinc.org/2000-8/", "https://loinc.org/14879-1/"),
    _r(186, "", "ICD-10-CM Z68 Body mass index [BMI] (Z68.3 30-39, adult; Z68.4 40 or greater, adult)", 2026,
       "ICDList", "https://icdlist.com/icd-10/Z68", "https://icdlist.com/icd-10/Z68.4"),
    _r(187, "", "ICD-10-CM chapter 2, Neoplasms (C00-D49): malignant C00-C96 (with C7A, C7B), in situ D00-D09, "
       "benign D10-D36, uncertain or unspecified behaviour D37-D49", None, "CPT Code Blog; NCI SEER Training",
       "https://cptcodeblog.com/what-is-icd-10-chapter-c00-d49", "https://training.seer.cancer.gov/icd10cm/neoplasm/"),
    _r(188, "", "ICD-10-CM C90.00 Multiple myeloma not having achieved remission (C90 multiple myeloma and "
       "malignant plasma cell neoplasms)", 2026, "HCC Buddy", "https://hccbuddy.com/icd10/C90.00"),
    _r(189, "", "ICD-10-CM D86 Sarcoidosis (D86.0-D86.9)", 2025, "ICDList", "https://icdlist.com/icd-10/D86"),
    _r(190, "", "ICD-10-CM Q90 Down syndrome (Q90.0-Q90.9)", 2024, "ICDList; HCC Buddy",
       "https://icdlist.com/icd-10/codes/down-syndrome-q90", "https://hccbuddy.com/icd10/Q90"),
    _r(191, "", "ICD-10-CM L90.5 Scar conditions and fibrosis of skin; L91.0 Hypertrophic scar (includes keloid)",
       None, "DiseaseDB", "https://www.diseasedb.com/icd10/L90.5", "https://www.diseasedb.com/icd10/L91.0"),
    _r(192, "", "ICD-10-CM (2010) tabular list, chapter 12 (excludes notes naming panniculitis NOS M79.3)", 2010,
       "Wikisource", "https://en.wikisource.org/wiki/ICD-10-CM_(2010)/CHAPTER_12"),
    _r(193, "", "ICD-10-CM burns and corrosions: T20-T25 by site, T31 and T32 by extent of body surface", 2023,
       "ICD10Data; Skyscape ICD-10-CM", "https://www.icd10data.com/ICD10CM/Codes/S00-T88/T30-T32/T32-",
       "https://download.skyscape.com/download/ota/lonestar/582C586A-12BF-4A64-BBB6-E30A5ADE37F9/icd10cm.ed23/"
       "content/HTML/7/tn4.htm"),
    _r(194, "", "ICD-10 (WHO, 2016) E65-E68 obesity and other hyperalimentation, incl. E67.3 Hypervitaminosis D",
       2016, "", "https://spbtr.ru/en/audience-1/izbytochnaya-massa-i-ozhirenie-u-detei-gipotrofiya-povyshennoe.html"),
    _r(195, "", "ICD-10-CM I73.00 Raynaud's syndrome without gangrene; I73.01 with gangrene", 2024, "ICDList",
       "https://icdlist.com/icd-10/I73.00", "https://icdlist.com/icd-10/I73.01"),
    _r(196, "", "ICD-10-CM D68.5 Primary thrombophilia (D68.51, D68.52, D68.59) and D68.6 Other thrombophilia "
       "(D68.61, D68.62, D68.69)", 2026, "PayerReady; Legal Clarity; littleden", "https://payerready.com/codes/icd10/D68-5",
       "https://legalclarity.org/thrombophilia-icd-10-codes-d68-5x-d68-6x-and-d68-9/",
       "https://littleden.blog/icd10/code/d68.5/"),
    _r(197, "", "ICD-10-CM R63.4 Abnormal weight loss", 2025, "ICD Code Compass", "https://codes.sprypt.com/codes/R63.4"),
    _r(198, "", "ICD-10-CM diseases of liver (K70-K77): K70 Alcoholic liver disease; K74.6 other and unspecified "
       "cirrhosis of liver", None, "ICDList; Legal Clarity; HealthHelped",
       "https://icdlist.com/icd-10/codes/alcoholic-liver-disease-k70",
       "https://legalclarity.org/liver-disease-icd-10-codes-k70-k77-explained/",
       "https://healthhelped.com/icd-10-code-for-liver-cirrhosis"),
    _r(199, "", "ICD-10-CM L97 Non-pressure chronic ulcer of lower limb, NEC, and L98.4 Non-pressure chronic ulcer "
       "of skin, NEC (with their notes on gangrene, I96)", 2026, "icd-10code.com; Eleplan",
       "https://icd-10code.com/cm/chapter/L00-L99/L80-L99/L97", "https://eleplan.com/icd10/L98.4"),
    _r(200, "", "ICD-10-CM T86.1 Complications of kidney transplant (T86.10-T86.19)", 2026, "ICDList",
       "https://icdlist.com/icd-10/t861"),
    _r(201, "", "ICD-10 P15.6 subcutaneous fat necrosis due to birth injury (CID-10 listing) and the ICD-10-CM block "
       "P10-P15 birth trauma", None, "Versatilis CID-10; Medical Code Center",
       "https://versatilis.com.br/cid10/p00-p96-capitulo-xvi-algumas-afeccoes-originadas-no-periodo-perinatal/"
       "p10-p15-traumatismo-de-parto/p15-outros-traumatismos-de-parto/"
       "p156-necrose-de-gordura-subcutanea-devida-a-traumatismo-de-parto",
       "http://medicalcodecenter.com/coding/icd10Cm/book/section/P10-P15"),
    _r(202, "", "ICD-10-CM E83.5 Disorders of calcium metabolism; E83.52 Hypercalcemia", None, "DiseaseDB",
       "https://www.diseasedb.com/icd10/E83.5", "https://diseasedb.com/icd10/E83.52"),
    _r(203, "", "ICD-10-CM Z49.32 Encounter for adequacy testing for peritoneal dialysis", 2025, "iFrame.ai",
       "https://iframe.ai/medical-coding/reference/Z49.32"),
    _r(204, "", "FinnGen phenocode M13_SYSTSLCE Systemic sclerosis (ICD-10 M34; SNOMED CT 89155008)", None,
       "FinnGen Risteys", "https://r3.risteys.finngen.fi/phenocode/M13_SYSTSLCE"),
    _r(205, "", "FinnGen phenocode M13_SLE Systemic lupus erythematosus (ICD-10 M32; SNOMED CT 55464009)", None,
       "FinnGen Risteys; PGS Catalog", "https://r4.risteys.finngen.fi/phenocode/M13_SLE",
       "https://www.pgscatalog.org/trait/MONDO_0007915/"),
    _r(206, "", "FinnGen phenocode E4_HYPERPARA Hyperparathyroidism (ICD-10 E21.0-E21.3; SNOMED CT 66999008)", None,
       "FinnGen Risteys", "https://r3.risteys.finngen.fi/phenocode/E4_HYPERPARA"),
    _r(207, "", "HL7 SANER IG, ValueSet KidneyDiseaseCOVID19RiskFactors (SNOMED CT 709044004 Chronic kidney "
       "disease, 46177005 End-stage renal disease); HL7 CPG IG ValueSet ckd-valueset-ckd", 2021, "HL7 International",
       "https://hl7.org/fhir/uv/saner/ValueSet-KidneyDiseaseCOVID19RiskFactors.html",
       "https://hl7.org/fhir/uv/cpg/STU1/ValueSet-ckd-valueset-ckd.html"),
    _r(208, "", "HL7 value sets of SNOMED CT dialysis procedures (is-a 108241001 Dialysis procedure, 61 concepts)",
       2023, "HL7 International (Vulcan RWD IG; CREDS IG)",
       "https://hl7.org/fhir/uv/vulcan-rwd/ValueSet-ExampleDialysisProcedureCodes.html",
       "https://hl7.org/fhir/us/registry-protocols/2023May/ValueSet-HemodialysisOrPeritonealDialysis.html"),
    _r(209, "", "HL7 Vulcan FHIR-to-OMOP IG, ConceptMap ConditionConcepts (SNOMED CT 363346000 Malignant tumour)",
       None, "HL7 International", "https://hl7.org/fhir/uv/omop/INFORMATIVE1/en/ConceptMap-ConditionConcepts.html"),
    _r(210, "", "ICD-10-CM Q90.9 Down syndrome, unspecified, with its SNOMED CT mappings (incl. 41040004)", None,
       "AutoICD API", "https://autoicdapi.com/icd10/Q90.9"),
    _r(211, "", "FDA GSRS substance records (openFDA) with WHO ATC codes: warfarin B01AA03, phenprocoumon B01AA04, "
       "acenocoumarol B01AA07 (Vitamin K antagonists)", 2025, "U.S. FDA, openFDA",
       "https://api.fda.gov/other/substance.json?search=unii%3A5Q7ZVV76EI",
       "https://api.fda.gov/other/substance.json?search=unii%3AQ08SIO485D",
       "https://api.fda.gov/other/substance.json?search=unii%3AI6WP63U32H"),
    _r(212, "", "FDA GSRS substance records (openFDA) with WHO ATC codes: calcium gluconate A12AA03, calcium "
       "chloride A12AA07, calcium carbonate A12AA04", 2025, "U.S. FDA, openFDA",
       "https://api.fda.gov/other/substance.json?search=unii%3ASQE6VB453K",
       "https://api.fda.gov/other/substance.json?search=unii%3AM4I0D6VV5M",
       "https://api.fda.gov/other/substance.json?search=unii%3AH0G9379FGK"),
    _r(213, "", "FDA GSRS substance records (openFDA) with WHO ATC codes: colecalciferol A11CC05, ergocalciferol "
       "A11CC01 (Vitamin D and analogues)", 2025, "U.S. FDA, openFDA",
       "https://api.fda.gov/other/substance.json?search=unii%3A1C6V77QF41",
       "https://api.fda.gov/other/substance.json?search=unii%3AVS041H42XC"),
    _r(214, "", "ATC/DDD Index: the address to check ATC codes at (no copy could be read)", None,
       "WHO Collaborating Centre for Drug Statistics Methodology", "https://atcddd.fhi.no/atc_ddd_index/"),
    _r(215, "", "RxNav: the address to check RxNorm ingredient codes at (no copy could be read)", None,
       "U.S. National Library of Medicine", "https://mor.nlm.nih.gov/RxNav/"),
    _r(216, "", "CPT 90935, 90937 (hemodialysis procedures) and 90945, 90947 (dialysis other than hemodialysis)", 2026,
       "Coding Ahead; Pabau", "https://www.codingahead.com/cpt-codes-for-hemodialysis-procedures/",
       "https://webhooks.codingahead.com/cpt/codes/90937", "https://pabau.com/procedure-codes/cpt-code-90945/"),
    _r(217, "", "ICD-10-PCS hemodialysis: 5A1D70Z and the table 5A1 duration values (7 intermittent, 8 prolonged "
       "intermittent, 9 continuous)", 2018, "WMWTL; UASI; Libman Education", "https://wmwtl.com/?p=25004",
       "https://uasisolutions.com/coding-tip-of-the-month-february-2018/",
       "https://libmaneducation.com/icd-10-pcs-hemodialysis-for-fy2018/"),
    _r(218, "", "ICD-10-PCS coding of peritoneal dialysis (guide; the code 3E1M39Z itself was not shown)", None, "WMWTL",
       "https://wmwtl.com/mastering-peritoneal-dialysis-icd-10-pcs-coding"),
    _r(219, "", "Calciphylaxis: synopsis and codes (ICD-10-CM E83.59 Other disorders of calcium metabolism; SNOMED CT "
       "237900002 Calciphylaxis)", None, "VisualDx",
       "https://v7.visualdx.com/visualdx/diagnosis/?diagnosisId=51241&moduleId=101",
       "http://www.visualdx.com/view/diagnosis/calciphylaxis"),
    _r(220, "", "Subcutaneous fat necrosis of the newborn: synopsis and codes (ICD-10-CM P15.6 Subcutaneous fat "
       "necrosis due to birth injury; SNOMED CT 239094006 Subcutaneous fat necrosis of newborn)", 2021, "VisualDx",
       "https://logicalimages.com/visualdx/diagnosis/subcutaneous+fat+necrosis+of+the+newborn?diagnosisId=52738"
       "&moduleId=103"),
    _r(221, "", "Hypervitaminosis D: synopsis and codes (ICD-10-CM E67.3 Hypervitaminosis D; SNOMED CT 27712000 "
       "Hypervitaminosis D)", None, "VisualDx",
       "https://www.visualdx.com/visualdx/diagnosis/hypervitaminosis+d?diagnosisId=52918&moduleId=101"),
    _r(222, "", "Laboratory test catalogue: Phosphate, serum (reported in mmol/L; LOINC 14879-1)", 2025,
       "National University Hospital Singapore, Clinical Chemistry", "https://nuhsingapore.testcatalog.org/show/PO4"),
    _r(223, "", "ICD-10-CM Q79.6 Ehlers-Danlos syndromes (Q79.60-Q79.69) (the page the code should be checked at; "
       "not read)", None, "ICD10Data", "https://www.icd10data.com/ICD10CM/Codes/Q00-Q99/Q65-Q79/Q79-/Q79.6"),
    # ------------------------------------------------------------------ evidence rules beyond the specification (230-259)
    _r(230, "Eich D, Scharffetter-Kochanek K, Weihrauch J, Krieg T, Hunzelmann N", "Calcinosis of the cutis and "
       "subcutis: an unusual nonimmunologic adverse reaction to subcutaneous injections of low-molecular-weight "
       "calcium-containing heparins (seen only as a citation, in the reference list of a later case report)", 2004,
       "J Am Acad Dermatol 2004;50(2):210-4", "https://revista.spdv.com.pt/index.php/spdv/article/view/329"),
)

REFERENCES_BY_NUMBER: Mapping[int, Reference] = MappingProxyType({r.number: r for r in REFERENCES})
"""``REFERENCES_BY_NUMBER[26]`` is the reference cited as ``[26]`` (read-only)."""
