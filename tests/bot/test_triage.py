"""Safeguarding triage: a labelled set of realistic staff messages (all names invented).

The set is the behaviour contract: every disclosure must be caught (100% recall), reports must
get the right flow, urgent situations must be flagged, and ordinary policy questions that merely
mention children must stay questions. The false-alarm rate is printed in the test output.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage import Triage, classify, rules

D, I, A, Q = "disclosure", "incident", "allegation", "question"  # noqa: E741  one letter per kind keeps the case table readable
URGENT = True

# (message, expected kind, expected urgent). urgent None means "not asserted".
DISCLOSURES: list[tuple[str, str, bool | None]] = [
    # the child's words, typed by staff (first person)
    ("my step dad batters me", D, None),
    ("he touched me down there", D, None),
    ("Kian said 'my mums boyfriend hits me when shes at work'", D, False),
    ("she said her uncle makes her touch him and its a secret game", D, None),
    ("i dont want to go home", D, None),
    ("'I want to die' - that's what Leah in 8R wrote in her planner", D, None),
    ("a boy in year 6 told me 'dad locks me in my room with no food'", D, None),
    ("he said my brother hurts me and i cant tell mum", D, None),
    # third person, staff narrating
    ("Jayden in Year 5 told me his mum hits him with a belt", D, False),
    ("she's been self harming", D, None),
    ("one of my year 9s has cuts on her arms, she showed me at break", D, None),
    ("Amelia came in with a black eye again and said she fell down the stairs but i dont believe her", D, None),
    ("Tobias keeps coming in hungry, same dirty clothes all week, says nobody is at home", D, None),
    ("he said he doesn't want to go home", D, None),
    ("a pupil disclosed that her dad hits her mum", D, None),
    ("a girl in my form told me she's been talking to an older man online and he wants to meet her", D, None),
    ("year 10 lad says hes being made to carry packages for some older boys, county lines i think", D, None),
    ("child said she is going abroad in the summer to be cut, is this fgm", D, None),
    (
        "worried about a boy in my class, he flinches when anyone raises their voice and has bruises on his back",
        D,
        None,
    ),
    ("I'm worried about Freya in year 3, something isnt right at home", D, None),
    ("ava said her step mum sends her to bed without dinner and calls her stupid", D, None),
    ("Mohammed told me his cousin showed him porn videos and made him do things", D, None),
    ("year 11 girl told me she's pregnant and her boyfriend is 24", D, None),
    ("pupil told me she's been starving herself and making herself sick after lunch", D, None),
    ("Noah in reception has burn marks on his hands that look like cigarettes", D, None),
    ("a student says he is scared of his dad when hes drunk", D, None),
    ("Lily asked me not to tell anyone but her mum's boyfriend comes into her room at night", D, None),
    ("ellie in yr8 told me her brother's friend raped her at a party", D, None),
    (
        "a pupil has been watching extremist videos and saying he wants to join them, think he is being radicalised",
        D,
        None,
    ),
    ("boy in year 7 told me he gets a hiding if he loses his phone", D, None),
    ("we think one of our sixth formers is being forced to marry a man from abroad", D, None),
    ("kid in my class keeps saying hes gonna kill himself", D, None),
    ("she says her dad gave her a new phone and money and she's meeting men he introduces her to", D, None),
    ("girl in year 4 said mummy's friend takes pictures of her in the bath", D, None),
    ("pupil says shes being blackmailed by a man online who has her pictures", D, None),
    # misspelt, no punctuation, slang
    ("kid in yr 5 sed his dad leathers him wen hes bad", D, None),
    ("pupil told me she is sucidal and has been cuttin herself", D, None),
    ("she has brusies on her arms and neck and wont say how", D, None),
    ("he sed his step dad lamps him", D, None),
    ("a yr 3 said her uncle touchd her privates", D, None),
    ("the boy got beat up by his dad last night he told me", D, None),
    ("child disclosed abuse to me today", D, None),
    ("pupil was groomed on roblox", D, None),
    ("i think Zara is being neglected, her teeth are rotten and she's always tired and hungry", D, None),
    ("young carer in year 6 looks after her mum who is always drunk, she hasnt eaten since yesterday", D, None),
    # urgent: danger or medical need now
    ("won't go home tonight because he'll kill me", D, URGENT),
    ("a pupil is bleeding heavily from cuts on her arm in the toilets", D, URGENT),
    ("Year 9 boy has a knife in his bag and said he's going to stab someone after school", D, URGENT),
    ("Ruby in 10C has taken a load of pills she told me, she says she wants to die", D, URGENT),
    ("Ethan is missing, he ran away at lunch and his dad hits him", D, URGENT),
    ("child collapsed in the playground and is unconscious", D, URGENT),
    ("pupil says she is going to kill herself tonight", D, URGENT),
    ("his dad is outside the school gate waiting and he is terrified to go home with him right now", D, URGENT),
    ("yr 10 girl has not come home since friday, mum rang, she's been seeing an older guy", D, URGENT),
    ("theres a boy on the roof saying he will jump", D, URGENT),
    # explicit intent to report with no detail: default to the disclosure flow
    ("how do I report a concern", D, None),
    ("I need to report a safeguarding concern", D, None),
    ("I want to make a referral", D, None),
    ("need to log something on cpoms about a child", D, None),
]

INCIDENTS: list[tuple[str, str, bool | None]] = [
    ("year 9 are sending n00ds round a group chat", I, None),
    ("some year 10s have been sexting and the pics are going round the year", I, None),
    ("a boy in my class airdropped a nude of a girl in year 11 to the whole bus", I, None),
    ("there's a fake instagram account pretending to be Maisie and posting horrible stuff about her", I, None),
    ("Oliver is being cyberbullied on snapchat, he showed me the messages", I, None),
    ("group chat in year 8 where they are all ganging up on one girl and posting nasty comments", I, None),
    ("a pupil has been messaging me on my personal instagram", I, None),
    ("year 11 student found my facebook and keeps sending me friend requests", I, None),
    ("a pupil rang my personal mobile last night", I, None),
    ("someone filmed the fight at lunch and posted it on tiktok", I, None),
    ("a parent has posted photos from the nativity on facebook with other children in them", I, None),
    ("someone put a video of our year 6 class on youtube without permission", I, None),
    ("pupils were watching beheading videos on the ipads in ICT", I, None),
    ("smoothwall alert flagged a pupil searching for porn on a school laptop", I, None),
    ("I need to report an online safety incident", I, None),
    ("nudes of a year 10 girl are being shared, what do i do", I, None),
    ("the school twitter account has been hacked", I, None),
    ("kids made a hate page about one of the year 7s", I, None),
    ("ive just seen abusive comments on tiktok about a pupil from other kids", I, None),
    ("a girl in year 8 showed me semi nudes a boy sent her", I, None),
    ("year 7 pupil followed me on tiktok and keeps dming me", I, None),
]

ALLEGATIONS: list[tuple[str, str, bool | None]] = [
    ("Mr Patel has been messaging a year 10 girl on snapchat", A, None),
    ("I saw a TA grab a child by the arm and drag him across the hall", A, None),
    ("a child told me Mr Hughes touched her leg under the desk", A, None),
    ("my colleague takes photos of the kids on her personal phone", A, None),
    ("the football coach gives one of the boys lifts home and buys him presents", A, None),
    ("Mrs Okafor made an inappropriate comment about a year 11 girl's body", A, None),
    ("I'm worried about a colleague, he is always alone with the same pupil in his classroom at lunch", A, None),
    ("I have a low level concern about a supply teacher", A, None),
    ("one of our volunteers is following pupils on instagram", A, None),
    ("the caretaker smelled of alcohol this morning and was shouting at kids", A, None),
    ("I think a teacher is in a relationship with a sixth former", A, None),
    ("pupils say sir slapped a boy in PE", A, None),
    ("need to report a concern about the head teacher", A, None),
    ("a member of staff swore at a year 4 child and pushed him", A, None),
    ("I need to self-report, I accidentally liked a pupil's post on instagram", A, None),
    ("ms carter has a whatsapp group with her year 9 tutor group", A, None),
    ("teacher has been texting a pupil late at night", A, None),
    ("a TA keeps hugging the girls and sitting them on his lap", A, None),
    ("a pupil says a teacher hit him", A, None),
]

# Ordinary policy questions, many of them near misses that mention children or risky topics.
QUESTIONS: list[tuple[str, str, bool | None]] = [
    ("can I post photos of pupils on the school instagram", Q, False),
    ("what does the policy say about cyberbullying", Q, False),
    ("who is the DSL", Q, False),
    ("who is our deputy dsl", Q, False),
    ("can i accept a friend req from an ex-pupil shes 19", Q, False),
    ("r phones allowed in class", Q, False),
    ("parent tagged me on FB", Q, False),
    ("can teachers be friends with pupils on facebook", Q, False),
    ("am I allowed to give my number to a year 11 for revision help", Q, False),
    ("is it ok to take pictures of the kids at sports day on the school ipad", Q, False),
    ("can I use my own phone to take photos on the school trip", Q, False),
    ("are we allowed to follow ex pupils on instagram", Q, False),
    ("how do i set my facebook to private", Q, False),
    ("can pupils under 13 have tiktok accounts", Q, False),
    ("whats the rule on pupils using phones at break", Q, False),
    ("is it okay to mention the school on linkedin", Q, False),
    ("can I hug a child who is upset", Q, False),
    ("can i drive a pupil home after a match", Q, False),
    ("what happens if a teacher breaks the social media policy", Q, False),
    ("what training do I need for safeguarding", Q, False),
    ("who is the chair of governors", Q, False),
    ("what is the LADO", Q, False),
    ("what is a low level concern", Q, False),
    ("can parents take photos at the school play", Q, False),
    ("should I accept a friend request from a pupil's mum", Q, False),
    ("is it ok to be friends with a parent on facebook if we were friends before", Q, False),
    ("can I set up a class twitter account", Q, False),
    ("can i email pupils from my personal gmail", Q, False),
    ("do I need permission to post about a school event on my own page", Q, False),
    ("what does the policy say about sexting", Q, False),
    ("is there a policy on staff using whatsapp with parents", Q, False),
    ("what are the consequences of breaching the policy", Q, False),
    ("can I comment on the school facebook page", Q, False),
    ("can we use snapchat for a school club", Q, False),
    ("when is the policy reviewed", Q, False),
    ("how should staff communicate with pupils online", Q, False),
    ("can I play online games with pupils", Q, False),
    ("can i have my ex pupils on linkedin", Q, False),
    ("are staff allowed to say where they work on facebook", Q, False),
    ("what privacy settings should I use", Q, False),
    ("can i hit reply all to parents from my school email", Q, False),
    ("is it appropriate to like a pupil's post", Q, False),
    ("is it against the rules to post a photo of my classroom", Q, False),
    ("what should i do if a pupil sends me a friend request", Q, False),
    ("can i message a parent on facebook about their child's homework", Q, False),
    ("where can I find the online safety policy", Q, False),
    ("can I use my personal laptop at school", Q, False),
    ("can a teaching assistant run the class blog", Q, False),
    ("my son is in year 7 here, can I be friends with his friends' parents on facebook", Q, False),
    ("thanks that's really helpful", Q, False),
    ("hello", Q, False),
    ("what counts as cyberbullying", Q, False),
    ("can I post a picture of my own kids on facebook", Q, False),
    ("should staff accept gifts from parents at christmas", Q, False),
]

# Formal, polite, US-English register: longer context, "stated", "cell phone", grades.
FORMAL_REGISTER: list[tuple[str, str, bool | None]] = [
    (
        "Hi, quick question - one of my third graders told me this morning that her stepfather hits her when her mother is at work. What should I do?",
        D,
        None,
    ),
    (
        "Good afternoon. A student in my homeroom disclosed that her mom's boyfriend has been touching her inappropriately.",
        D,
        None,
    ),
    ("I am writing because a pupil in Year 8 showed me fresh cuts on her forearm during registration.", D, None),
    (
        "I have observed that a Year 2 child frequently arrives without a coat, appears underfed, and has untreated sores.",
        D,
        None,
    ),
    (
        "A student mentioned during a writing assignment that he does not feel safe at home and sleeps in his car with his father.",
        D,
        None,
    ),
    (
        "During a one-to-one reading session, a child stated that her uncle takes photographs of her without clothes.",
        D,
        None,
    ),
    ("I noticed bruising on a child's upper arm in the shape of fingers.", D, None),
    ("A Year 10 student confided in me that she has been contemplating suicide and has a plan.", D, None),
    (
        "One of my students has been absent for three weeks and I understand the family may have left the country.",
        D,
        None,
    ),
    (
        "A pupil informed me that an adult he met through an online game has been sending him gifts and asking to meet in person.",
        D,
        None,
    ),
    (
        "A child in my class has repeatedly been collected by a different adult each day and appears anxious and withdrawn.",
        D,
        None,
    ),
    (
        "Hello - I am concerned that a Year 9 boy may be involved with a gang; he has unexplained new clothes and a second cell phone.",
        D,
        None,
    ),
    (
        "A student told me her parents are planning to take her overseas this summer for a ceremony she is frightened of.",
        D,
        None,
    ),
    (
        "A pupil's behavior has changed markedly; she has become withdrawn and said her father's friend visits her room at night.",
        D,
        None,
    ),
    ("Please advise: a 6th grade student stated that his parents lock him in the basement as a punishment.", D, None),
    ("A child in Reception class repeatedly depicts violent sexual acts in her drawings.", D, None),
    (
        "A Year 7 pupil said his older brother encourages him to hate Muslims and watch far-right videos online.",
        D,
        None,
    ),
    (
        "A Year 6 pupil told me that a man online has been asking her to send photographs of herself in her underwear.",
        D,
        None,
    ),
    (
        "I am writing to report that several Year 9 students have been circulating a sexually explicit image of a classmate via AirDrop.",
        I,
        None,
    ),
    (
        "I would like to report that a student has been receiving threatening messages on Instagram from classmates.",
        I,
        None,
    ),
    ("A pupil has located my personal Instagram account and has sent me several direct messages.", I, None),
    ("A parent has uploaded a video of the school concert to Facebook showing several children's faces.", I, None),
    (
        "I would like to raise a concern regarding a colleague who regularly sends text messages to students from his personal cell phone.",
        A,
        None,
    ),
    ("I observed a member of staff physically restraining a child in a manner that seemed excessive.", A, None),
    ("Am I permitted to accept a LinkedIn connection request from a former student who is now 20?", Q, None),
    (
        "Hi, quick question - is it acceptable to post photographs of my classroom displays on Twitter/X if no children are visible?",
        Q,
        None,
    ),
    (
        "Could you please clarify whether staff may use their personal cell phones to contact parents on field trips?",
        Q,
        None,
    ),
    ("Hello, I would like to know what the policy says about reporting cyberbullying between students.", Q, None),
    ("Am I permitted to mention where I work on my Facebook profile?", Q, None),
    ("Could you tell me who the Designated Safeguarding Lead is this term?", Q, None),
]

# Less common harms in a formal register: coercive control, FGM wording, CCE, medical neglect, age gaps.
FORMAL_HARMS: list[tuple[str, str, bool | None]] = [
    (
        "A Year 4 pupil arrived with a swollen lip and a cut above his eye and would not explain how it happened.",
        D,
        None,
    ),
    (
        "I have noticed a pattern of injuries on a Year 1 child, including a burn on her hand that looks like it came from an iron.",
        D,
        None,
    ),
    ("A student disclosed that her father strikes her with a wooden spoon when she misbehaves.", D, None),
    ("A pupil told me that his parents argue violently and that his mother was taken to hospital last week.", D, None),
    (
        "A girl in Year 9 explained that her boyfriend, who is 19, controls who she speaks to and checks her phone.",
        D,
        None,
    ),
    (
        "A Year 11 student has expressed extremist views in class and said that people of a certain religion deserve to be hurt.",
        D,
        None,
    ),
    ("A boy in Year 8 has been sharing propaganda from a terrorist organisation with classmates.", D, None),
    ("A pupil said her grandmother told her she will be 'made a woman' during a trip to visit relatives.", D, None),
    ("A Year 10 boy disclosed that he is regularly forced to sell cannabis for older youths in his area.", D, None),
    (
        "A student told me she is frequently left to care for her younger siblings overnight while her parents are away.",
        D,
        None,
    ),
    (
        "A Year 3 child has said on several occasions that she is not allowed to eat with the rest of the family.",
        D,
        None,
    ),
    (
        "A pupil is regularly arriving at school with soiled clothing and has not been taken to the dentist despite severe toothache.",
        D,
        None,
    ),
    ("A child in nursery displays knowledge of sexual behaviour that is inappropriate for her age.", D, None),
    ("A student informed me that she has been hurting herself with a compass.", D, None),
    ("A pupil said that he thinks about ending his life most days.", D, None),
    ("A Year 12 student has been reported missing by her family this morning.", D, None),
    ("A girl in Year 10 told me that a group of boys pressured her into sexual activity at a party.", D, None),
    ("A Year 7 boy said an older student threatened to stab him on the way home.", D, None),
    ("A Year 5 pupil said his mum's new partner calls him worthless and tells him nobody wants him.", D, None),
    (
        "The child's father arrived intoxicated and aggressive at pick-up and insisted on driving the children home.",
        D,
        None,
    ),
    ("A student confided that she is being trafficked and has no access to her passport.", D, None),
    ("A pupil mentioned that she is meeting a 25-year-old man she met on Snapchat after school.", D, None),
    (
        "Hi - a parent told me their daughter has been contacted by a stranger who is asking for intimate photographs.",
        D,
        None,
    ),
    (
        "I would like to report that a Year 8 girl appears to have been sexually assaulted by another pupil in the changing rooms.",
        D,
        None,
    ),
    ("Could you advise on our policy regarding staff use of personal devices on school trips?", Q, None),
    ("Am I permitted to follow the school's official account from my personal Instagram?", Q, None),
    ("Is it permissible for teachers to be connected with parents on Facebook?", Q, None),
    ("What is the guidance on photographing students during sports events?", Q, None),
    (
        "Hello, could you tell me whether teaching assistants may message pupils through the school's learning platform?",
        Q,
        None,
    ),
    ("I'd like to understand what we should do if a pupil sends us a message on social media.", Q, None),
    ("What are the rules about staff discussing students on social media?", Q, None),
    ("May I share photographs of students' artwork on my professional Twitter account?", Q, None),
]

# Chat register reports and questions that use alarming words about teaching or records.
CHAT_AND_TOPIC_WORDS: list[tuple[str, str, bool | None]] = [
    ("whats the policy on self harm", Q, False),
    ("do we teach pupils about grooming in pshe", Q, False),
    ("how do i spot signs of neglect", Q, False),
    ("can pupils watch a film about knife crime in pshe", Q, False),
    ("is there training on recognising abuse", Q, False),
    ("can I put the nspcc helpline number on the class page", Q, False),
    ("can we post the anti bullying week photos on the school facebook", Q, False),
    ("what's the procedure for reporting a data breach", Q, False),
    ("should staff report it if they see a parent posting about the school", Q, False),
    ("is it ok to use photos from the e-safety assembly on the website", Q, False),
    ("can i tell my class about the dangers of sexting", Q, False),
    ("how long do we keep child protection records", Q, False),
    ("does the policy cover pupils sending nudes", Q, False),
    ("omg just found out a yr 8 has been sending pics to some guy she met on insta he's 30", D, None),
    ("kid in 4B keeps falling asleep, says mums new bf keeps him up all night shouting", D, None),
    ("pupil just told me her dads been arrested and she's staying with a family friend she barely knows", D, None),
    ("one of my tutees has been going missing at weekends and coming back with new trainers", D, None),
    ("y9 boy told me hes been getting threats from lads in another school on snap", I, None),
    ("yr 11 lad came in with a massive bruise on his face and wont say where from", D, None),
    ("a girl in my form says her parents are sending her to pakistan to get married", D, None),
    ("ks2 kid said his uncle shows him naked pictures on his phone", D, None),
    ("student told me she's pregnant and scared to tell her parents", D, None),
    ("lad in yr 10 has started wearing long sleeves in summer and flinches when i touch his arm", D, None),
    ("some yr 9s made a snapchat group to rate the girls bodies", I, None),
    ("a pupil has been sending me messages on whatsapp late at night", I, None),
    ("mrs green keeps giving a year 6 boy sweets and letting him stay in at break with her alone", A, None),
    ("saw the supply teacher follow a yr 10 girl into the toilets", A, None),
    ("my head of dept makes sexual jokes to the sixth formers", A, None),
    ("child in yr 2 said the dinner lady smacked her", A, None),
]

# Emergencies happening now (999 first) next to past harm that is not urgent; formal adult and incident reports.
EMERGENCIES_AND_FORMAL_REPORTS: list[tuple[str, str, bool | None]] = [
    ("A pupil has just told me she swallowed a whole packet of paracetamol at lunchtime.", D, True),
    ("kid having a fit in the corridor, not responding", D, True),
    ("year 8 girl has locked herself in the toilets and is saying she wants to end it", D, True),
    ("two year 10s fighting in the car park, one has a blade", D, True),
    ("a boy has a deep cut on his wrist and it wont stop bleeding", D, True),
    ("pupil says her dad will kill her tonight if she goes home", D, True),
    ("Year 9 student is standing on the edge of the bridge by school and is threatening to jump", D, True),
    ("child is having an allergic reaction and can't breathe", D, True),
    ("a pupil told me yesterday that her step dad hit her, she seems ok today", D, False),
    ("Sophie said she self harmed last year but has stopped now", D, False),
    (
        "I would like to raise a concern: a teacher appears to have formed an inappropriate friendship with a Year 11 student outside school.",
        A,
        False,
    ),
    ("A member of the catering staff was overheard making sexualised remarks to Year 10 girls.", A, False),
    ("Our Head Teacher has been seen driving a pupil home alone on several occasions.", A, False),
    ("A pupil's older brother has posted a video of a fight involving our Year 8 students on TikTok.", I, False),
    ("Several students are using an anonymous app to post cruel comments about a classmate.", I, False),
    ("A Year 7 student received unsolicited explicit images from another student via AirDrop.", I, False),
]

# Peer-on-peer abuse, honour, domestic abuse, substance misuse, gaming grooming, sextortion;
# shouting, emoji and line breaks; procedure questions that should open the flow.
MORE_HARMS_AND_SHAPES: list[tuple[str, str, bool | None]] = [
    ("a boy took a photo up a girls skirt on the stairs", I, None),
    ("year 10 girls say a group of boys keep grabbing their bums in the corridor", D, None),
    ("pupil says her brothers will hurt her if they find out about her boyfriend, family honour", D, None),
    ("kid said he saw his dad strangle his mum last night and he hid under the bed", D, None),
    ("child says mum hasnt got out of bed for a week and she's been making tea for her little brother", D, None),
    ("year 8 lad smelled of weed again and said his mum gives it him", D, None),
    ("girl in year 9 said she's been living at her aunties for 3 months cos mum kicked her out", D, None),
    ("boy in 6B is being bullied every day at break and says he doesnt want to live anymore", D, None),
    (
        "someone on fortnite has been telling one of my year 5s to keep their chats secret and asked for his address",
        D,
        None,
    ),
    ("a yr 11 boy is being blackmailed for money after sending a pic to someone he thought was a girl", D, None),
    ("pupils were shouting racist abuse at a year 7 girl on the bus and filmed it", I, None),
    ("HE SAID HIS DAD PUNCHED HIM", D, None),
    ("🙁 one of my yr2s said daddy hurts mummy and she cries", D, None),
    ("year 4 boy\nsaid uncle\ntouches him", D, None),
    ("pupil told me they are being bullied", D, None),
    ("child has a big bruise on her cheek 😢", D, None),
    ("I've got a safeguarding concern", D, None),
    ("need to make a cp referral", D, None),
    ("what's the difference between an allegation and a low level concern", Q, False),
    ("can i follow the school's instagram from my personal account", Q, False),
    ("im a governor, can I post about school events on my facebook", Q, False),
    ("are pupils allowed phones on the residential trip", Q, False),
    ("is it ok to livestream the school play for parents", Q, False),
    ("our dsl is off, who is the deputy", Q, False),
    ("what do i do if a parent keeps messaging me on whatsapp", Q, False),
    ("can i block a parent who was rude to me on facebook", Q, False),
]

# Questions about allegations and staff conduct in general, next to concrete adult and incident reports.
ADULT_AND_INCIDENT_EDGES: list[tuple[str, str, bool | None]] = [
    ("what happens if a parent makes an allegation against me", Q, False),
    ("im worried a parent will complain about my facebook photos", Q, False),
    ("can a teacher be sacked for posting drunk photos on instagram", Q, False),
    ("is it a disciplinary matter if staff swear on social media", Q, False),
    ("do teachers have to declare if they are related to a pupil", Q, False),
    ("what if a pupil makes a false allegation about me on snapchat", Q, False),
    ("can staff hug pupils", Q, False),
    ("is the caretaker allowed to be on the school facebook group", Q, False),
    ("our new TA has added half of year 6 on snapchat", A, None),
    ("I think Mr Adeyemi is grooming a girl in 10F, he keeps her behind after lessons and messages her", A, None),
    ("a parent rang to say the swimming instructor touched her daughter in the changing room", A, None),
    ("I need to report myself, I lost my temper and grabbed a pupil's arm", A, None),
    ("One of the lunchtime supervisors calls the SEN kids names and laughs at them", A, None),
    ("the minibus driver keeps making comments about the girls' skirts", A, None),
    ("a volunteer on the trip was drinking and sharing a room with pupils", A, None),
    (
        "a pupil created a fake tiktok using my photos and name and is posting nasty things about other teachers",
        I,
        None,
    ),
    ("someone posted a video of a year 9 having a meltdown in class on instagram", I, None),
    ("a boy in year 10 has been sending unwanted sexual messages to several girls", I, None),
    ("kids are sharing a deepfake of a year 11 girl", I, None),
    ("our school's facebook page was hacked and is posting spam", I, None),
]

# Bare commands, negated worry, and who the report is about.
COMMANDS_AND_NEGATIONS: list[tuple[str, str, bool | None]] = [
    ("report", D, None),
    ("i want to report", D, None),
    ("the dsl said to ask you how to record a disclosure", D, None),
    ("need to report a concern about the head teacher", A, None),
    ("no concerns about the child, just want to know if i can accept his mums friend request", Q, False),
    ("this isnt a safeguarding issue, just wondering if I can post photos of pupils on the blog", Q, False),
    ("not a disclosure or anything but can pupils follow the school tiktok", Q, False),
    ("she said nobody hurts her at home, should I still be worried", D, None),
    ("hes fine now but yesterday he told me his dad hit him", D, False),
    ("i already told the dsl, do i need to write it on cpoms too", Q, False),
    ("help", Q, False),
    ("cancel", Q, False),
]


# Long, polite questions with context before them (a past incident, a colleague, a niece).
CONTEXT_THEN_QUESTION: list[tuple[str, str, bool | None]] = [
    (
        "Last year a parent posted photos of the nativity online and it caused a lot of upset. This year, are we allowed to ask parents not to film?",
        Q,
        False,
    ),
    (
        "I run the school's football team and the boys keep asking me to join their WhatsApp group. Am I permitted to do that?",
        Q,
        False,
    ),
    (
        "One of my former students, who is now at university, has sent me a friend request on Facebook. Is it acceptable to accept it?",
        Q,
        False,
    ),
    (
        "I'm new to the school and noticed some staff have pupils on Snapchat. What does our policy actually say about this?",
        Q,
        False,
    ),
    (
        "My niece has just started in Year 7 at the school where I teach. Can I still be friends with her on Instagram?",
        Q,
        False,
    ),
    ("We've been asked by the PTA to set up a Facebook page for parents. Who needs to approve that?", Q, False),
    (
        "Following the online safety training last week, I wanted to check whether staff can use TikTok in lessons.",
        Q,
        False,
    ),
    (
        "Parents have been complaining about a teacher in a Facebook group. What does the policy say staff should do?",
        Q,
        False,
    ),
]

# Statements about pupils that are not reports.
NEAR_MISS_STATEMENTS: list[tuple[str, str, bool | None]] = [
    ("I told the pupils about online safety today and they loved it", Q, False),
    ("thanks, that answers it", Q, False),
    ("a pupil asked me if I have instagram, should I tell them", Q, False),
    ("year 6 are doing a project on social media, can they use the school ipads", Q, False),
    ("the kids said they enjoyed the trip, can I post a photo on the class blog", Q, False),
    ("our school council said they want a school tiktok, is that allowed", Q, False),
    ("a parent said they want to add me on facebook, is that ok", Q, False),
    ("my daughter goes to the school where I teach, can I post photos of her", Q, False),
    ("the head said we can use whatsapp for the staff group, is that right", Q, False),
    ("one of my students asked if I could write her a reference for college", Q, False),
    ("I've been asked to run the school's instagram account, what are the rules", Q, False),
    ("a pupil mentioned my facebook profile picture in class, should I change my privacy settings", Q, False),
    ("we are planning a sponsored walk and parents want to share photos", Q, False),
    ("my colleague asked whether we can post photos from sports day", Q, False),
    ("the PE teacher wants to make a team snapchat group, is that allowed", Q, False),
    ("just wondering whether supply staff need to follow the social media policy", Q, False),
]

# Harmless news told by a child still goes to the disclosure flow: the price of the recall safety
# net ("a pupil told me ..." narrated as a statement). Counted in the false-alarm rate, not hidden.
KNOWN_FALSE_ALARMS: list[tuple[str, str, bool | None]] = [
    ("a child in my class told me she got a new puppy, so cute", Q, False),
    ("pupils said they were scared of the spider in the classroom lol", Q, False),
]

EDGE_INPUTS: list[tuple[str, str, bool | None]] = [
    ("", Q, False),
    ("   \n\t ", Q, False),
    ("😀😀🙏", Q, False),
    ("?!?!", Q, False),
    ("x" * 10_000, Q, False),
    ("Puis-je publier des photos des élèves sur Instagram ?", Q, False),
    ("¿Puedo aceptar una solicitud de amistad de un alumno?", Q, False),
    ("我可以在脸书上发布学生的照片吗", Q, False),
    ("can I post photos of pupils " * 500, Q, False),  # ~14,000 characters, long and harmless
    ("lorem ipsum " * 800 + "a pupil told me her dad hits her", D, None),  # disclosure at the very end
]

# A child who cannot be found or whom someone tried to take: urgent, however it is phrased;
# not finding a document stays a question.
LOST_OR_TAKEN = [
    ("cant find tyler in yr 3 after the fire drill", D, True),
    ("we still can't locate one of the reception children after home time", D, True),
    ("two year 8 boys are unaccounted for after the trip coach got back", D, True),
    ("a man in a van tried to get a year 4 girl to come with him at the gate", D, True),
    ("someone attempted to snatch a pupil from the playground fence", D, True),
    ("I cannot find the policy on phones about pupils", Q, False),
    ("cant find the form for reporting pupil photos", Q, False),
]

ALL_CASES = (
    LOST_OR_TAKEN
    + DISCLOSURES
    + INCIDENTS
    + ALLEGATIONS
    + QUESTIONS
    + FORMAL_REGISTER
    + FORMAL_HARMS
    + CHAT_AND_TOPIC_WORDS
    + EMERGENCIES_AND_FORMAL_REPORTS
    + MORE_HARMS_AND_SHAPES
    + ADULT_AND_INCIDENT_EDGES
    + COMMANDS_AND_NEGATIONS
    + CONTEXT_THEN_QUESTION
    + NEAR_MISS_STATEMENTS
    + EDGE_INPUTS
)
REPORT_KINDS = {D, I, A}


def _label(case: tuple[str, str, bool | None]) -> str:
    return case[0][:60]


@pytest.mark.parametrize("case", ALL_CASES, ids=_label)
def test_each_message_gets_the_right_kind(case):
    text, kind, urgent = case
    result = classify(text)
    assert result.kind == kind, (text, result)
    if urgent is not None:
        assert result.urgent is urgent, (text, result)


@pytest.mark.parametrize(
    "text",
    [
        "if I ever needed to raise a concern about a colleague's posts, where would I do that?",
        "if i wanted to log a concern on cpoms one day, how would i do it",
        "who do i speak to if a child discloses",
    ],
)
def test_an_imagined_ask_to_report_is_a_question_about_the_procedure(text):
    """'If I ever wanted to raise a concern ...' asks how, not to: it is answered (the report a tap
    away beside the answer) or asked about, never started, while 'how do I report a concern' starts it."""
    assert "report_intent" in rules.classify(text).reasons
    result = classify(text)
    assert not result.is_report and (result.kind == "confirm" or result.may_concern_child), result
    assert classify("how do I report a concern").kind == D


@pytest.mark.parametrize(
    "text",
    [
        "A colleague mentioned that she uses her personal phone to photograph pupils' work for the class blog. Is that permitted under the policy?",
        "a former pupil who is 22 now asked me to connect on linkedin",
        "pupils in year 9 are doing a presentation on cyberbullying next week",
        "who would I tell if a pupil ever messaged me on instagram?",
        "should I tell the head if I bump into a pupil at the gym",
        "my colleague posts loads about school on her tiktok, is that allowed",
        "Some of the children told me they have Instagram accounts even though they're only 10. Is there anything I need to do?",
        # a lesson about a harm: answered directly until the refit on the fine-tuned encoder, which asks
        "is it ok to show the year 6s a video about online grooming",
    ],
)
def test_questions_near_a_concern_may_be_asked_back_but_never_start_a_report(text):
    """A colleague's phone near pupils, a former pupil making contact, a lesson about a harm: the
    learned layer may ask (the confirm card, one tap; it is unsure by design, since a missed
    disclosure costs far more than a tap), but it must never start a report for them."""
    result = classify(text)
    assert result.kind in (Q, "confirm") and not result.is_report, result


def test_disclosure_recall_is_total_and_false_alarms_are_reported(capsys):
    disclosures = [c for c in ALL_CASES if c[1] == D]
    caught = [c for c in disclosures if classify(c[0]).kind != Q]
    exact = [c for c in disclosures if classify(c[0]).kind == D]
    questions = [c for c in ALL_CASES + KNOWN_FALSE_ALARMS if c[1] == Q]
    false_alarms = [c for c in questions if classify(c[0]).kind != Q]
    with capsys.disabled():
        print(
            f"\ntriage: {len(ALL_CASES)} messages; disclosure recall (sent to a report flow) "
            f"{len(caught)}/{len(disclosures)}, as disclosure {len(exact)}/{len(disclosures)}; "
            f"false alarms on questions {len(false_alarms)}/{len(questions)} "
            f"({100 * len(false_alarms) / len(questions):.1f}%)"
        )
    assert len(caught) == len(disclosures)
    assert len(ALL_CASES) >= 120


def test_every_report_is_sent_to_some_report_flow():
    missed = [c[0] for c in ALL_CASES if c[1] in REPORT_KINDS and classify(c[0]).kind == Q]
    assert missed == []


def test_reasons_are_codes_never_the_users_words():
    text = "Kian in year 4 told me his step dad batters him"
    result = classify(text)
    assert result.reasons, result
    for code in result.reasons:
        assert code.replace("_", "").isalpha() and code.islower()
        assert "kian" not in code and "batter" not in code


def test_urgent_only_with_a_report():
    # "right now" in an ordinary question is not an emergency
    result = classify("can I check my facebook right now during lunch")
    assert result == Triage("question", False, ())


def test_triage_is_deterministic_and_case_insensitive():
    assert classify("MY STEP DAD BATTERS ME") == classify("my step dad batters me")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=2000))
def test_classify_never_raises_for_any_text(text):
    result = classify(text)
    assert result.kind in {"disclosure", "incident", "allegation", "question", "confirm"}
    assert isinstance(result.urgent, bool)
    assert all(isinstance(code, str) for code in result.reasons)


def test_non_string_input_is_treated_as_empty():
    assert classify(None).kind == "question"  # type: ignore[arg-type]


def test_typo_correction_never_turns_ordinary_policy_words_into_alarm_words():
    # "setting" must not become "sexting", nor "eating" "beating": the policies are a large
    # sample of the ordinary English staff write, so none of their words may be "corrected".
    from pathlib import Path

    from bot.triage.rules import _ABBREVIATIONS, normalise

    policy_dir = Path(__file__).resolve().parents[2] / "knowledge" / "policies"
    words: set[str] = set()
    for path in policy_dir.glob("*.txt"):
        words.update(re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower().replace("'", "")))
    assert len(words) > 1000
    changed = {w: normalise(w) for w in words if w not in _ABBREVIATIONS and normalise(w) != w}
    assert changed == {}


@pytest.mark.parametrize(
    "typo,fixed",
    [
        ("sucidal", "suicidal"),
        ("brusies", "bruises"),
        ("touchd", "touched"),
        ("inapropriate", "inappropriate"),
        ("cyberbulling", "cyberbullying"),
        ("n00ds", "nudes"),
        ("h1ts", "hits"),
        ("stepdad", "step dad"),
    ],
)
def test_misspellings_of_alarm_words_are_folded(typo, fixed):
    from bot.triage.rules import normalise

    assert normalise(typo) == fixed


def test_a_worried_colleague_asking_whom_to_tell_is_offered_the_disclosure_report():
    """'who should i tell if im worried about a child' may be a present worry or a general
    question: the rules call it a disclosure, the classifier an ordinary question. Never a plain
    answer: the report, the confirm card, or the answer with the disclosure report offered beside it."""
    result = classify("who should i tell if im worried about a child")
    assert result.kind in (D, "confirm") or result.may_concern_child
    assert (result.likely or result.kind) == D


@pytest.mark.parametrize(
    "text",
    [
        "what should I do if a pupil tells me they are self harming",
        "what should i do if a child tells me they are being abused at home",
        "a child wants to tell me a secret, what do i do",
    ],
)
def test_serious_harm_asked_about_as_a_condition_is_one_tap_from_the_disclosure_report(text):
    """It may have happened or may be imagined: the report, or the card that starts it in one tap;
    never an answer."""
    result = classify(text)
    assert result.kind in (D, "confirm") and (result.likely or result.kind) == D


def test_asking_how_to_report_something_that_happened_reaches_the_incident_report():
    """A real incident asked about as procedure: the incident report, or the card one tap from it."""
    result = classify("how do i report cyberbullying that happened over the weekend")
    assert result.kind in (I, "confirm") and (result.likely or result.kind) == I


def test_asking_to_report_starts_the_report_whatever_the_classifier_says(monkeypatch):
    from bot.triage import learned

    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: np.array([1.0, 0.0, 0.0, 0.0]))
    assert classify("how do I report a concern").kind == D


@pytest.mark.parametrize(
    "text",
    [
        "not a disclosure - a girl in my form told me she is moving house, do we update anything?",
        "in theory, if a pupil told me they were being hit at home, who would I go to first?",
    ],
)
def test_a_message_its_writer_frames_as_general_does_not_start_a_report(text):
    """ "not a disclosure", "in theory", "for my NVQ" (knowledge/language.yaml, general_frame):
    the writer says nothing happened, so the rules' floor does not start a report."""
    assert classify(text).kind not in REPORT_KINDS


def test_a_general_frame_does_not_hide_a_real_disclosure():
    text = "a girl in my form told me her stepdad hits her, for my own future reference what happens next?"
    assert classify(text).kind == D
