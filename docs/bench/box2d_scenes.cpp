// Reference scenes for the physics-throughput anchor: Box2D C++ 2.4.1 (Debian libbox2d-dev).
// The same scenes are built through package sim in sim/scenes_test.go (go test -run - -bench Scenes ./sim).
// Prints "<scene> <steps/s> <steps per CPU second>" for each. Build: g++ -O2 box2d_scenes.cpp -lbox2d -o scenes && ./scenes 200000
#include <box2d/box2d.h>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

static b2Body* box(b2World& w, b2BodyType t, float x, float y, float hx, float hy, float ang, float dens) {
  b2BodyDef bd; bd.type = t; bd.position.Set(x, y); bd.angle = ang;
  b2Body* b = w.CreateBody(&bd);
  b2PolygonShape s; s.SetAsBox(hx, hy);
  b2FixtureDef fd; fd.shape = &s; fd.density = dens; fd.friction = 0.8f; fd.filter.groupIndex = -1;
  b->CreateFixture(&fd);
  return b;
}
static b2RevoluteJoint* hinge(b2World& w, b2Body* a, b2Body* b, b2Vec2 anchor, float lo, float hi, float torque) {
  b2RevoluteJointDef jd; jd.Initialize(a, b, anchor);
  jd.enableMotor = true; jd.maxMotorTorque = torque; jd.enableLimit = true; jd.lowerAngle = lo; jd.upperAngle = hi;
  return (b2RevoluteJoint*)w.CreateJoint(&jd);
}

struct Scene { b2World* w; std::vector<b2RevoluteJoint*> j; };

// reacher7: top-down 7-link arm, no gravity.
static Scene reacher() {
  Scene s; s.w = new b2World(b2Vec2(0, 0));
  b2Body* base = box(*s.w, b2_staticBody, 0, 0, 0.05f, 0.05f, 0, 1);
  b2Body* prev = base;
  for (int i = 0; i < 7; i++) {
    b2Body* l = box(*s.w, b2_dynamicBody, 0.15f + 0.3f * i, 0, 0.15f, 0.025f, 0, 1);
    s.j.push_back(hinge(*s.w, prev, l, b2Vec2(0.3f * i, 0), -2.6f, 2.6f, 5));
    prev = l;
  }
  return s;
}
// quadruped: side view, gravity, torso + 4 legs x 2 links on a ground box.
static Scene quadruped() {
  Scene s; s.w = new b2World(b2Vec2(0, -9.81f));
  b2BodyDef gd; b2Body* g = s.w->CreateBody(&gd);
  b2PolygonShape gs; gs.SetAsBox(50, 0.5f, b2Vec2(0, -0.5f), 0); g->CreateFixture(&gs, 0);
  b2Body* torso = box(*s.w, b2_dynamicBody, 0, 0.6f, 0.4f, 0.08f, 0, 1);
  float xs[4] = {-0.35f, -0.25f, 0.25f, 0.35f};
  for (float x : xs) {
    b2Body* th = box(*s.w, b2_dynamicBody, x, 0.42f, 0.03f, 0.1f, 0, 1);
    s.j.push_back(hinge(*s.w, torso, th, b2Vec2(x, 0.52f), -1.2f, 1.2f, 20));
    b2Body* sh = box(*s.w, b2_dynamicBody, x, 0.22f, 0.025f, 0.1f, 0, 1);
    s.j.push_back(hinge(*s.w, th, sh, b2Vec2(x, 0.32f), -2.0f, 0.2f, 20));
  }
  return s;
}
// claw: top-down valve pinned at origin, 3 fingers x 2 links around it, contacts.
static Scene claw() {
  Scene s; s.w = new b2World(b2Vec2(0, 0));
  b2BodyDef gd; b2Body* g = s.w->CreateBody(&gd);
  b2BodyDef vd; vd.type = b2_dynamicBody; b2Body* v = s.w->CreateBody(&vd);
  for (int k = 0; k < 3; k++) { b2PolygonShape sp; sp.SetAsBox(0.12f, 0.015f, b2Vec2(0.12f*cosf(k*2.094f), 0.12f*sinf(k*2.094f)), k*2.094f); v->CreateFixture(&sp, 1); }
  b2RevoluteJointDef vj; vj.Initialize(g, v, b2Vec2(0, 0)); vj.enableMotor = true; vj.maxMotorTorque = 0.05f; s.w->CreateJoint(&vj);
  for (int k = 0; k < 3; k++) {
    float a = k * 2.094f + 1.047f, bx = 0.45f * cosf(a), by = 0.45f * sinf(a);
    b2Body* b0 = box(*s.w, b2_staticBody, bx, by, 0.03f, 0.03f, 0, 1);
    float mx = 0.33f * cosf(a), my = 0.33f * sinf(a);
    b2Body* l1 = box(*s.w, b2_dynamicBody, mx, my, 0.12f, 0.02f, a, 1);
    l1->GetFixtureList()->SetFilterData(b2Filter());
    s.j.push_back(hinge(*s.w, b0, l1, b2Vec2(bx, by), -1.5f, 1.5f, 3));
    float tx = 0.15f * cosf(a), ty = 0.15f * sinf(a);
    b2Body* l2 = box(*s.w, b2_dynamicBody, tx, ty, 0.06f, 0.018f, a, 1);
    l2->GetFixtureList()->SetFilterData(b2Filter());
    s.j.push_back(hinge(*s.w, l1, l2, b2Vec2(0.21f * cosf(a), 0.21f * sinf(a)), -1.5f, 1.5f, 3));
  }
  return s;
}
// hand: side view, gravity, palm (static) + 4 fingers x 3 links + a free pen on top.
static Scene hand() {
  Scene s; s.w = new b2World(b2Vec2(0, -9.81f));
  b2Body* palm = box(*s.w, b2_staticBody, 0, 0, 0.3f, 0.04f, 0, 1);
  for (int f = 0; f < 4; f++) {
    float x = -0.24f + 0.16f * f; b2Body* prev = palm; float y = 0.04f;
    for (int k = 0; k < 3; k++) {
      b2Body* l = box(*s.w, b2_dynamicBody, x, y + 0.05f, 0.02f, 0.05f, 0, 1);
      l->GetFixtureList()->SetFilterData(b2Filter());
      s.j.push_back(hinge(*s.w, prev, l, b2Vec2(x, y), -1.5f, 1.5f, 2));
      prev = l; y += 0.1f;
    }
  }
  b2Body* pen = box(*s.w, b2_dynamicBody, 0, 0.4f, 0.3f, 0.02f, 0.1f, 1);
  pen->GetFixtureList()->SetFilterData(b2Filter());
  return s;
}

int main(int argc, char** argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 200000;
  struct { const char* n; Scene (*mk)(); } all[] = {{"reacher7", reacher}, {"quadruped", quadruped}, {"claw", claw}, {"hand", hand}};
  for (auto& sc : all) {
    Scene s = sc.mk();
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    for (int t = 0; t < steps; t++) {
      for (size_t i = 0; i < s.j.size(); i++) s.j[i]->SetMotorSpeed(2.0f * sinf(0.01f * t + i));
      s.w->Step(1.0f / 100.0f, 8, 3);
    }
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    // Steps per wall second, then per CPU second (less inflated by a loaded machine).
    printf("%s %.0f %.0f\n", sc.n, steps / sec, steps / cpu);
    delete s.w;
  }
}
